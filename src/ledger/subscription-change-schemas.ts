import { z } from 'zod';
import { catalogKey, instantInput, isoTimestamp, ledgerId } from './ids';
import { pendingChangeSchema, periodSchema } from './subscription-schemas';
import { grantSpecSchema } from './grant-spec';

/**
 * A change a client asked for, as the ledger keeps it: `requested` while its workflow
 * runs, then `scheduled` (takes effect at the period end), `applied`, `refused` (declined,
 * aborted) or `withdrawn` (a scheduled change taken back before the period end).
 */
export const changeStatusSchema = z.enum([
  'requested',
  'scheduled',
  'applied',
  'refused',
  'withdrawn',
]);
export type ChangeStatus = z.infer<typeof changeStatusSchema>;

const jsonObject = z.record(z.string(), z.unknown());
const minorUnits = z.codec(
  z.union([z.string(), z.number(), z.bigint()]).nullable(),
  z.number().nullable(),
  {
    decode: (value) => (value === null ? null : Number(value)),
    encode: (value) => value,
  },
);

export const subscriptionChangeSchema = z.object({
  subscriptionId: z.string(),
  changeId: z.string(),
  tenantId: z.string(),
  kind: z.string(),
  request: jsonObject,
  fingerprint: z.string(),
  status: changeStatusSchema,
  statusReason: z.string().nullable(),
  /** What the change charged (upgrade) or refunded (immediate cancel), in minor units. */
  amount: minorUnits,
  paymentIntentId: z.string().nullable(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type SubscriptionChange = z.infer<typeof subscriptionChangeSchema>;

export const requestChangeInputSchema = z.object({
  subscriptionId: ledgerId,
  tenantId: ledgerId,
  changeId: ledgerId,
  kind: z.string().regex(/^[a-z-]{1,40}$/, 'must be a change kind such as upgrade'),
  /** The client's request as it was validated: its fingerprint keys idempotency. */
  request: jsonObject,
});
export type RequestChangeInput = z.input<typeof requestChangeInputSchema>;

export interface RequestChangeResult {
  change: SubscriptionChange;
  /** True when this change id was asked for before with the same request. */
  repeated: boolean;
}

export const changeOutcomeInputSchema = z.object({
  subscriptionId: ledgerId,
  changeId: ledgerId,
  status: changeStatusSchema.exclude(['requested']),
  reason: z.string().min(1).max(500).optional(),
  amount: z.number().int().min(0).optional(),
  paymentIntentId: z.string().min(1).optional(),
});
export type ChangeOutcomeInput = z.input<typeof changeOutcomeInputSchema>;

export const schedulePendingChangeInputSchema = z.object({
  subscriptionId: ledgerId,
  change: pendingChangeSchema,
});
export type SchedulePendingChangeInput = z.input<typeof schedulePendingChangeInputSchema>;

export const withdrawPendingChangeInputSchema = z.object({
  subscriptionId: ledgerId,
  /** The scheduled change to withdraw. */
  changeId: ledgerId,
  /** The change (client id) that withdraws it, for the audit. */
  byChangeId: ledgerId,
});
export type WithdrawPendingChangeInput = z.input<typeof withdrawPendingChangeInputSchema>;

/** What a plan or add-on subscription holds: the part an upgrade changes in place. */
export const holdingSchema = z.object({
  productKey: catalogKey,
  seats: z.number().int().positive().nullable(),
  period: periodSchema,
  currentPeriodEnd: instantInput,
});
export type Holding = z.input<typeof holdingSchema>;

export const applyUpgradeInputSchema = z.object({
  subscriptionId: ledgerId,
  /** The change's own business id, recorded on every grant it makes. */
  orderId: ledgerId,
  to: holdingSchema,
  /** What the new holding implies for the seated users and the tenant (from the catalog). */
  grants: z.array(grantSpecSchema).max(200_000),
});
export type ApplyUpgradeInput = z.input<typeof applyUpgradeInputSchema>;

export const revertUpgradeInputSchema = z.object({
  subscriptionId: ledgerId,
  orderId: ledgerId,
  /** The holding before the upgrade. */
  to: holdingSchema,
});
export type RevertUpgradeInput = z.input<typeof revertUpgradeInputSchema>;
export type HoldingRecord = z.output<typeof holdingSchema>;

export const savePaymentMethodInputSchema = z.object({
  subscriptionId: ledgerId,
  paymentMethodId: z
    .string()
    .regex(/^pm_[A-Za-z0-9_]+$/, 'must be a Stripe payment method id (pm_…)'),
  /** The change that saves it, for the event. */
  orderId: ledgerId,
});
export type SavePaymentMethodInput = z.input<typeof savePaymentMethodInputSchema>;
