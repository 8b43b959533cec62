import { z } from 'zod';
import { externalIdSchema, resourceStatusSchema, tenantIdSchema } from './external-id';
import { ISO_639_1_CODES } from './iso-639-1';

/** The CEP admin API's wire format, shared by our client and its simulator. */

export const portalLanguageSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine((code) => ISO_639_1_CODES.has(code), 'must be an ISO 639-1 language code such as "en"');

/** The portal's languages; the first is the one visitors see before choosing. */
export const portalLanguagesSchema = z
  .array(portalLanguageSchema)
  .min(1, 'must list at least one language')
  .refine((codes) => new Set(codes).size === codes.length, 'must not list a language twice');

/** The portal's host label, so it must be a valid DNS label. */
export const portalSlugSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/,
    'must be 3-63 lowercase letters, digits or "-", not starting or ending with "-"',
  );

/** Body of `PUT /v1/portals/:externalId`. */
export const portalBodySchema = z.strictObject({
  tenantId: tenantIdSchema,
  languages: portalLanguagesSchema,
  slug: portalSlugSchema.optional(),
});
export type PortalBody = z.infer<typeof portalBodySchema>;

export const portalSchema = z.object({
  id: z.string().min(1),
  externalId: externalIdSchema,
  tenantId: z.string(),
  url: z.url(),
  languages: z.array(z.string()).min(1),
  slug: z.string().optional(),
  /** `disabled`: kept but not served (its subscription is suspended), until enabled again. */
  status: resourceStatusSchema.default('active'),
  createdAt: z.iso.datetime(),
});
export type Portal = z.infer<typeof portalSchema>;

export const PORTALS_PATH = '/v1/portals';
