import type { AdminClientOptions } from './admin-client-options';
import { createCalendarSyncClient, type CalendarSyncClient } from './calendar-sync-client';
import { createCepClient, type CepClient } from './cep-client';

/** What activities are given: `createActivities({ ..., provisioning })`. */
export interface ProvisioningClients {
  calendarSync: CalendarSyncClient;
  cep: CepClient;
}

/** From CALENDAR_SYNC_URL/TOKEN and CEP_URL/TOKEN, or the simulators' URLs under `npm start`. */
export function createProvisioningClients(options: {
  calendarSync: AdminClientOptions;
  cep: AdminClientOptions;
}): ProvisioningClients {
  return {
    calendarSync: createCalendarSyncClient(options.calendarSync),
    cep: createCepClient(options.cep),
  };
}
