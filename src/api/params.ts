import { z } from 'zod';

/** Ids in URLs: what checkout and the catalog accept for tenants, users and orders. */
export const idParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters among A-Z a-z 0-9 _ -');

export const tenantParams = z.object({ tenantId: idParam });
export const tenantUserParams = z.object({ tenantId: idParam, userId: idParam });

/** An attended workflow's id, as ops list it: an order's or a renewal's. */
export const workflowIdParam = z
  .string()
  .regex(
    /^(order|renewal)-[A-Za-z0-9_.:-]{1,240}$/,
    'must be an order-… or renewal-… workflow id as ops list shows it',
  );
