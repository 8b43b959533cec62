import { z } from 'zod';
import { catalogKey, ledgerId } from './ids';

const userIdsSchema = z
  .array(ledgerId)
  .min(1)
  .max(10_000)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat a user' });

export const assignSeatsInputSchema = z.object({
  subscriptionId: ledgerId,
  tenantId: ledgerId,
  plan: catalogKey,
  userIds: userIdsSchema,
  orderId: ledgerId,
});
export type AssignSeatsInput = z.input<typeof assignSeatsInputSchema>;

export interface AssignSeatsResult {
  /** Users given a seat by this call. */
  assigned: string[];
  /** Users this subscription already seated (or this order already seated and released). */
  unchanged: string[];
}

export const releaseSeatsInputSchema = z.object({
  subscriptionId: ledgerId,
  tenantId: ledgerId,
  /** The users whose seats to release; every seat of the subscription when absent. */
  userIds: userIdsSchema.optional(),
  orderId: ledgerId,
  reason: z.string().min(1).max(500).optional(),
});
export type ReleaseSeatsInput = z.input<typeof releaseSeatsInputSchema>;

export interface ReleaseSeatsResult {
  released: string[];
  /** The released users' features from this subscription, revoked with their seats. */
  revokedGrants: number;
}

export const planSeatUsageSchema = z.object({
  plan: z.string(),
  /** Seats paid for: the sum over the plan's subscriptions in force. */
  bought: z.number().int(),
  assigned: z.number().int(),
  free: z.number().int(),
});
export type PlanSeatUsage = z.infer<typeof planSeatUsageSchema>;
