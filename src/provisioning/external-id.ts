import { z } from 'zod';

/**
 * Our id for a resource in an external service, derived by the caller from business ids
 * (`calsync-<subscriptionId>`, `cep-<subscriptionId>`), never random: a retried create
 * with the same id finds the resource the first attempt made instead of making a second.
 */
export const externalIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    'must be 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
  );
export type ExternalId = z.infer<typeof externalIdSchema>;

export const tenantIdSchema = z.string().trim().min(1, 'must not be empty').max(128);
