import { z } from 'zod';
import { catalogKey, ledgerId } from './ids';

export const subjectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), id: ledgerId }),
  z.object({ type: z.literal('tenant'), id: ledgerId }),
]);
export type Subject = z.infer<typeof subjectSchema>;

export const grantKindSchema = z.enum(['feature', 'system-license', 'addon-feature']);
export type GrantKind = z.infer<typeof grantKindSchema>;

/**
 * One feature license a purchase implies, as the catalog computes it. Plan features
 * belong to users; system licenses and add-on features are tenant-wide flags.
 */
export const grantSpecSchema = z
  .object({ subject: subjectSchema, feature: catalogKey, kind: grantKindSchema })
  .refine((spec) => (spec.subject.type === 'user') === (spec.kind === 'feature'), {
    message: "kind 'feature' goes to a user; system licenses and add-on features to the tenant",
    path: ['kind'],
  });
export type GrantSpec = z.infer<typeof grantSpecSchema>;
