import { z } from 'zod';

/**
 * A fault the simulator injects into admin API requests (never into `/_simulator/*`, so
 * an outage can always be cleared). Without `times`, a rule holds until cleared: a
 * `fail` rule without `times` is an outage.
 */
const matchShape = {
  method: z.enum(['GET', 'PUT', 'DELETE', 'POST']).optional(),
  /** An exact path, or a prefix when it ends in `*` (`/v1/portals/*`). */
  path: z.string().startsWith('/', 'must start with "/"').optional(),
  times: z.int().positive().optional(),
  /** The share of matching requests the rule applies to (0-1], drawn per request. */
  rate: z.number().gt(0).max(1).optional(),
};

export const faultRuleSchema = z.discriminatedUnion('type', [
  /** Answer with `status` instead of handling the request (nothing is created or deleted). */
  z.strictObject({
    type: z.literal('fail'),
    status: z.int().min(400).max(599),
    retryAfterSeconds: z.int().nonnegative().optional(),
    ...matchShape,
  }),
  /** Handle the request, then hold the answer back: a timeout after the change was made. */
  z.strictObject({ type: z.literal('delay'), ms: z.int().positive().max(120_000), ...matchShape }),
  /** Close the connection without handling the request or answering. */
  z.strictObject({ type: z.literal('drop'), ...matchShape }),
]);
export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultMatch = Pick<FaultRule, 'method' | 'path' | 'times' | 'rate'>;

export function ruleMatches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  return rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path;
}
