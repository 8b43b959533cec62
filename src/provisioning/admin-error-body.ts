import { z } from 'zod';

/**
 * The error body of both admin APIs. `code` lets a client tell "this connection does not
 * exist" (NOT_FOUND, which a compensating delete counts as done) from "this endpoint does
 * not exist" (NO_ROUTE, a wrong base URL, which must not pass for a successful delete).
 */
export const adminErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
  }),
});
export type AdminErrorBody = z.infer<typeof adminErrorBodySchema>;

export const ADMIN_ERROR_CODES = {
  invalidBody: 'INVALID_BODY',
  unauthorized: 'UNAUTHORIZED',
  conflict: 'CONFLICT',
  notFound: 'NOT_FOUND',
  noRoute: 'NO_ROUTE',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  injectedFault: 'INJECTED_FAULT',
} as const;
