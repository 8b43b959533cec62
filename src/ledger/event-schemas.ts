import { z } from 'zod';
import { isoTimestamp, rowId } from './ids';

export const licenseEventTypeSchema = z.enum([
  'license.granted',
  'license.revoked',
  'subscription.recorded',
  'subscription.status_changed',
  'subscription.period_paid',
  'subscription.changed',
  'seat.assigned',
  'seat.released',
]);
export type LicenseEventType = z.infer<typeof licenseEventTypeSchema>;

export const licenseEventSchema = z.object({
  id: rowId,
  tenantId: z.string(),
  type: licenseEventTypeSchema,
  payload: z.record(z.string(), z.unknown()),
  orderId: z.string().nullable(),
  idempotencyKey: z.string(),
  createdAt: isoTimestamp,
  publishedAt: isoTimestamp.nullable(),
});
export type LicenseEvent = z.infer<typeof licenseEventSchema>;
