import {
  CONNECTIONS_PATH,
  connectionBodySchema,
  type Connection,
  type ConnectionBody,
} from '../../src/provisioning/calendar-sync-contract';
import { createResourceStore } from './resource-store';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator-server';

export type CalendarSyncSimulator = RunningSimulator<Connection>;

/** A local calendar-sync admin service: `PUT|GET|DELETE /v1/connections/:externalId`. */
export function startCalendarSyncSimulator(
  options: SimulatorOptions,
): Promise<CalendarSyncSimulator> {
  const store = createResourceStore<ConnectionBody, Connection>({
    build: ({ id, externalId, createdAt }, body) => ({
      id,
      externalId,
      ...body,
      status: 'active',
      createdAt,
    }),
    withStatus: (connection, status) => ({ ...connection, status }),
    contentOf: ({ tenantId, provider, settings }) =>
      ({ tenantId, provider, settings }) as ConnectionBody,
  });
  return startSimulator(
    {
      collection: CONNECTIONS_PATH,
      noun: 'connection',
      plural: 'connections',
      body: connectionBodySchema,
      store,
    },
    options,
  );
}
