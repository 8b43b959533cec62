import { z } from 'zod';
import { grantKindSchema, grantSpecSchema } from './grant-spec';
import { catalogKey, isoTimestamp, ledgerId, rowId } from './ids';

export const applyGrantsInputSchema = z
  .object({
    orderId: ledgerId,
    tenantId: ledgerId,
    /** The source: revoking this subscription later revokes exactly these rows. */
    subscriptionId: ledgerId,
    productKey: catalogKey,
    grants: z.array(grantSpecSchema).max(200_000),
  })
  .superRefine((call, ctx) => {
    call.grants.forEach((grant, index) => {
      if (grant.subject.type === 'tenant' && grant.subject.id !== call.tenantId) {
        ctx.addIssue({
          code: 'custom',
          message: `a tenant flag goes to tenant ${call.tenantId}`,
          path: ['grants', index, 'subject', 'id'],
        });
      }
    });
  });
export type ApplyGrantsInput = z.input<typeof applyGrantsInputSchema>;

export interface ApplyGrantsResult {
  inserted: number;
  /** Already held from this subscription (a retried call, or an earlier order). */
  alreadyPresent: number;
  /**
   * True when this order's grants on this subscription were revoked before (it was
   * compensated): nothing is granted, so a late retry cannot undo a compensation.
   */
  orderRevoked: boolean;
}

export const revokeGrantsInputSchema = z.object({
  /** The order compensated (its own id) or the order that cancels the subscription. */
  orderId: ledgerId,
  tenantId: ledgerId,
  subscriptionId: ledgerId,
  reason: z.string().min(1).max(500),
});
export type RevokeGrantsInput = z.input<typeof revokeGrantsInputSchema>;

export interface RevokeGrantsResult {
  revoked: number;
  /** True when this (subscription, order) revocation had already been applied. */
  repeated: boolean;
}

export const grantHistoryEntrySchema = z.object({
  grantId: rowId,
  subjectType: z.enum(['user', 'tenant']),
  subjectId: z.string(),
  feature: z.string(),
  kind: grantKindSchema,
  sourceSubscriptionId: z.string(),
  sourceProductKey: z.string(),
  grantedAt: isoTimestamp,
  grantedByOrderId: z.string(),
  revokedAt: isoTimestamp.nullable(),
  /** The order that revoked it (a compensation, a cancellation, a seat release). */
  revokedByOrderId: z.string().nullable(),
  revokeReason: z.string().nullable(),
});
export type GrantHistoryEntry = z.infer<typeof grantHistoryEntrySchema>;

export const grantHistoryOptionsSchema = z.object({
  limit: z.number().int().min(1).max(1000).default(500),
  /** `nextCursor` of the previous page. */
  after: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'must be a cursor returned by a previous page')
    .optional(),
});
export type GrantHistoryOptions = z.input<typeof grantHistoryOptionsSchema>;

export interface GrantHistoryPage {
  entries: GrantHistoryEntry[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}
