import { z } from 'zod';

/**
 * Business ids (orders, tenants, users) end up in workflow ids, ledger rows and Stripe
 * idempotency keys, so they are kept to a URL- and key-safe alphabet and a bounded length.
 */
export const businessIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "_" and "-"')
  .refine((id) => !PROTOTYPE_KEYS.has(id), 'must not be a reserved name');

/**
 * Ids become keys of plain objects in JSON, memos and caches on their way through the
 * system: the names that would reach an object's prototype are refused at the edge.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

export const orderIdSchema = businessIdSchema;
export const tenantIdSchema = businessIdSchema;
export const userIdSchema = businessIdSchema;

export type OrderId = z.infer<typeof orderIdSchema>;
export type TenantId = z.infer<typeof tenantIdSchema>;
export type UserId = z.infer<typeof userIdSchema>;

/** Ids in URLs and command-line arguments: what checkout and the catalog accept for tenants, users and orders. */
export const idParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters among A-Z a-z 0-9 _ -')
  .refine((id) => !PROTOTYPE_KEYS.has(id), 'must not be a reserved name');

/** Subscription ids are derived from order ids (`sub-<orderId>`), so they run longer. */
export const subscriptionIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 characters among A-Z a-z 0-9 _ -');

/** An attended workflow's id, as ops list it: an order's or a renewal's. */
export const workflowIdParam = z
  .string()
  .regex(
    /^(order|renewal)-[A-Za-z0-9_.:-]{1,240}$/,
    'must be an order-… or renewal-… workflow id as ops list shows it',
  );
