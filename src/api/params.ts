import { z } from 'zod';
import { PROTOTYPE_KEYS } from '../domain/ids';

/** Ids in URLs: what checkout and the catalog accept for tenants, users and orders. */
export const idParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters among A-Z a-z 0-9 _ -')
  .refine((id) => !PROTOTYPE_KEYS.has(id), 'must not be a reserved name');

export const tenantParams = z.object({ tenantId: idParam });
export const tenantUserParams = z.object({ tenantId: idParam, userId: idParam });

/** Subscription ids are derived from order ids (`sub-<orderId>`), so they run longer. */
export const subscriptionIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 characters among A-Z a-z 0-9 _ -');
