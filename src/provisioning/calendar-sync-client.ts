import type { AdminClientOptions, CallOptions } from './admin-client-options';
import {
  CONNECTIONS_PATH,
  connectionBodySchema,
  connectionSchema,
  type Connection,
  type ConnectionBody,
} from './calendar-sync-contract';
import { createResourceClient, type DeleteOutcome, type StatusOutcome } from './resource-client';

/** `externalId` is derived from business ids (`calsync-<subscriptionId>`), never random. */
export type CreateConnectionInput = { externalId: string } & ConnectionBody;

export interface CalendarSyncClient {
  /** Idempotent: the same input again returns the existing connection (CONFLICT if it differs). */
  createConnection: (input: CreateConnectionInput, options?: CallOptions) => Promise<Connection>;
  getConnection: (externalId: string, options?: CallOptions) => Promise<Connection | undefined>;
  /** Idempotent: a connection that is already gone counts as deleted. */
  deleteConnection: (externalId: string, options?: CallOptions) => Promise<DeleteOutcome>;
  /** Stops syncing, keeping the connection (a suspended subscription); idempotent. */
  disableConnection: (externalId: string, options?: CallOptions) => Promise<StatusOutcome>;
  /** Syncs again after a suspension; idempotent. */
  enableConnection: (externalId: string, options?: CallOptions) => Promise<StatusOutcome>;
}

export function createCalendarSyncClient(options: AdminClientOptions): CalendarSyncClient {
  const connections = createResourceClient(
    {
      service: 'calendar-sync',
      collection: CONNECTIONS_PATH,
      noun: 'connection',
      body: connectionBodySchema,
      resource: connectionSchema,
    },
    options,
  );
  return {
    createConnection: ({ externalId, ...body }, callOptions) =>
      connections.put(externalId, body, callOptions),
    getConnection: connections.get,
    deleteConnection: connections.delete,
    disableConnection: (externalId, callOptions) =>
      connections.setStatus(externalId, 'disabled', callOptions),
    enableConnection: (externalId, callOptions) =>
      connections.setStatus(externalId, 'active', callOptions),
  };
}
