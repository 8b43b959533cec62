import { z } from 'zod';
import type { AdminClientOptions } from './admin-client-options';
import { createCalendarSyncClient, type CalendarSyncClient } from './calendar-sync-client';
import { createCepClient, type CepClient } from './cep-client';

/**
 * The provisioning part of the environment. A service's URL and token come as a pair;
 * a service with neither is "not configured" and `npm start` runs its simulator instead.
 */
export const provisioningEnvSchema = z
  .object({
    CALENDAR_SYNC_URL: z.url({ protocol: /^https?$/ }).optional(),
    CALENDAR_SYNC_TOKEN: z.string().min(1).optional(),
    CEP_URL: z.url({ protocol: /^https?$/ }).optional(),
    CEP_TOKEN: z.string().min(1).optional(),
    PROVISIONING_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  })
  .superRefine((env, context) => {
    for (const [url, token] of [
      ['CALENDAR_SYNC_URL', 'CALENDAR_SYNC_TOKEN'],
      ['CEP_URL', 'CEP_TOKEN'],
    ] as const) {
      if (env[url] !== undefined && env[token] === undefined) {
        context.addIssue({ code: 'custom', path: [token], message: `is required with ${url}` });
      }
      if (env[url] === undefined && env[token] !== undefined) {
        context.addIssue({ code: 'custom', path: [url], message: `is required with ${token}` });
      }
    }
  });
export type ProvisioningEnv = z.infer<typeof provisioningEnvSchema>;

/** What activities are given: `createActivities({ ..., provisioning })`. */
export interface ProvisioningClients {
  calendarSync: CalendarSyncClient;
  cep: CepClient;
}

export function createProvisioningClients(options: {
  calendarSync: AdminClientOptions;
  cep: AdminClientOptions;
}): ProvisioningClients {
  return {
    calendarSync: createCalendarSyncClient(options.calendarSync),
    cep: createCepClient(options.cep),
  };
}
