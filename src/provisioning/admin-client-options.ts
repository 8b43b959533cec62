import { z } from 'zod';
import { describeIssue } from './issue-field';

export const DEFAULT_TIMEOUT_MS = 10_000;

export const adminClientOptionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  token: z.string().min(1, 'must not be empty'),
  // Per request, body included. Short enough that a hung service fails the activity
  // attempt (to be retried) well inside its start-to-close timeout.
  timeoutMs: z.int().positive().max(300_000).default(DEFAULT_TIMEOUT_MS),
});
export type AdminClientOptions = z.input<typeof adminClientOptionsSchema>;
export type ResolvedAdminClientOptions = z.output<typeof adminClientOptionsSchema>;

/** Per call: a caller's signal (an activity's cancellation) aborts the request too. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Misconfiguration is a programming error at start-up, not a ProvisioningError. */
export function resolveAdminClientOptions(options: AdminClientOptions): ResolvedAdminClientOptions {
  const parsed = adminClientOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TypeError(
      `invalid provisioning client options: ${parsed.error.issues.map(describeIssue).join('; ')}`,
    );
  }
  return { ...parsed.data, baseUrl: parsed.data.baseUrl.replace(/\/+$/, '') };
}
