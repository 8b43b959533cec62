import { z } from 'zod';

export const grantSubjectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), id: z.string().min(1) }),
  z.object({ type: z.literal('tenant'), id: z.string().min(1) }),
]);

/**
 * One license the ledger grants or revokes. `feature` is a feature key for `feature` and
 * `addon-feature`, and a system license key for `system-license`: per-user features come
 * from plans, tenant flags from system licenses and add-ons.
 */
export const grantSpecSchema = z
  .object({
    subject: grantSubjectSchema,
    feature: z.string().min(1),
    kind: z.enum(['feature', 'system-license', 'addon-feature']),
  })
  .refine((spec) => (spec.subject.type === 'user') === (spec.kind === 'feature'), {
    path: ['kind'],
    message: "kind 'feature' goes to a user; system licenses and add-on features to the tenant",
  });

export type GrantSubject = z.infer<typeof grantSubjectSchema>;
export type GrantSpec = z.infer<typeof grantSpecSchema>;
export type GrantKind = GrantSpec['kind'];
