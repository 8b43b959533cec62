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

/**
 * A provisioned resource is `active`, or `disabled` while its subscription is suspended:
 * kept with its data, so paying again turns it back on instead of provisioning anew.
 */
export const resourceStatusSchema = z.enum(['active', 'disabled']);
export type ResourceStatus = z.infer<typeof resourceStatusSchema>;
