import { z } from 'zod';
import { calendarSyncSetupSchema } from '../domain/calendar-sync-settings';
import { externalIdSchema, resourceStatusSchema, tenantIdSchema } from './external-id';

/** The calendar-sync admin API's wire format, shared by our client and its simulator. */

const [m365, google, exchange] = calendarSyncSetupSchema.options;
const tenant = { tenantId: tenantIdSchema };

/** Body of `PUT /v1/connections/:externalId`. */
export const connectionBodySchema = z.discriminatedUnion('provider', [
  m365.extend(tenant),
  google.extend(tenant),
  exchange.extend(tenant),
]);
export type ConnectionBody = z.infer<typeof connectionBodySchema>;

export const connectionSchema = z.intersection(
  z.object({
    id: z.string().min(1),
    externalId: externalIdSchema,
    tenantId: z.string(),
    /** `disabled`: kept but not syncing (its subscription is suspended), until enabled again. */
    status: resourceStatusSchema,
    createdAt: z.iso.datetime(),
  }),
  calendarSyncSetupSchema,
);
export type Connection = z.infer<typeof connectionSchema>;

export const CONNECTIONS_PATH = '/v1/connections';
