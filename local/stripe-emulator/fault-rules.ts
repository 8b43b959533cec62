import { z } from 'zod';

/**
 * Faults the emulator injects into API requests (never into `/_emulator/*`). A rule
 * matches a method (any when absent) and a path prefix, and applies to the next `times`
 * matching requests. "Before the write" means the request has no effect, "after" that
 * it took effect and only the answer is lost: the case idempotency keys exist for.
 */
const match = {
  method: z.enum(['GET', 'POST', 'DELETE']).optional(),
  path: z.string().startsWith('/v1/', 'must start with "/v1/"'),
  times: z.int().positive().max(1000).default(1),
  /**
   * The share of matching requests the rule applies to (0-1], drawn per request: a
   * fault on 10% of calls is one rule. `times` counts only the requests it applied to.
   */
  rate: z.number().gt(0).max(1).optional(),
};

export const faultRuleSchema = z.discriminatedUnion('type', [
  /** Answer 5xx without doing anything. */
  z.strictObject({
    type: z.literal('error-before-write'),
    status: z.int().min(500).max(599).default(500),
    ...match,
  }),
  /** Do the request (and save its idempotent answer), then answer 5xx instead. */
  z.strictObject({
    type: z.literal('error-after-write'),
    status: z.int().min(500).max(599).default(500),
    ...match,
  }),
  /** Hold the request this long before doing it; its idempotency key stays in flight. */
  z.strictObject({ type: z.literal('delay'), ms: z.int().positive().max(60_000), ...match }),
  /** Close the connection without doing anything or answering. */
  z.strictObject({ type: z.literal('drop-before-write'), ...match }),
  /** Do the request, then close the connection without answering. */
  z.strictObject({ type: z.literal('drop-after-write'), ...match }),
  /** Answer 429 rate_limit without doing anything. */
  z.strictObject({ type: z.literal('rate-limit'), ...match }),
]);
export type FaultRule = z.output<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export type FaultOutcome = Exclude<FaultRule, { type: 'delay' }>;

/** What to do to one request: wait `delayMs`, then apply `outcome` if there is one. */
export interface FaultDecision {
  delayMs: number;
  outcome?: FaultOutcome;
}

export class FaultInjector {
  private rules: FaultRule[] = [];

  /** `random` draws for rules with a `rate` (tests pass a fixed sequence). */
  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a rule; throws a TypeError naming the field when it is invalid. */
  add(input: FaultRuleInput): FaultRule {
    const parsed = faultRuleSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'rule';
      throw new TypeError(`invalid fault rule: ${field}: ${issue?.message ?? 'is invalid'}`);
    }
    this.rules.push(parsed.data);
    return { ...parsed.data };
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules still active, `times` being what is left of each. */
  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** Decides for one request, using up one application of each rule it applies. */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const rule of [...this.rules]) {
      if (rule.method !== undefined && rule.method !== method) continue;
      if (!path.startsWith(rule.path)) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      if (rule.type === 'delay') decision.delayMs += rule.ms;
      else if (decision.outcome === undefined) decision.outcome = rule;
      else continue;
      rule.times -= 1;
      if (rule.times === 0) this.rules = this.rules.filter((r) => r !== rule);
    }
    return decision;
  }
}
