import { ruleMatches, type FaultMatch, type FaultRule } from './fault-rules';

/** What the simulator does to one request: wait `delayMs`, then fail, drop or handle it. */
export interface FaultDecision {
  delayMs: number;
  outcome:
    { type: 'fail'; status: number; retryAfterSeconds?: number } | { type: 'drop' } | undefined;
}

export interface FaultInjector {
  add(rule: FaultRule): void;
  /** The next `times` matching requests answer `status` (503 by default). */
  failNext(times: number, status?: number, match?: Omit<FaultMatch, 'times'>): void;
  /** Every request answers `status` until cleared. */
  outage(status?: number): void;
  delay(ms: number, match?: FaultMatch): void;
  drop(match?: FaultMatch): void;
  clear(): void;
  /** The active rules, `times` being what is left of each. */
  list(): FaultRule[];
  /** Decides for one request and uses up one of each matching counted rule. */
  decide(method: string, path: string): FaultDecision;
}

/** `random` draws for rules with a `rate` (tests pass a fixed sequence). */
export function createFaultInjector(random: () => number = Math.random): FaultInjector {
  let rules: FaultRule[] = [];

  const add = (rule: FaultRule): void => {
    rules.push({ ...rule });
  };

  const consume = (rule: FaultRule): void => {
    if (rule.times === undefined) return;
    rule.times -= 1;
    if (rule.times === 0) rules = rules.filter((r) => r !== rule);
  };

  return {
    add,
    failNext: (times, status = 503, match = {}) => add({ type: 'fail', status, ...match, times }),
    outage: (status = 503) => add({ type: 'fail', status }),
    delay: (ms, match = {}) => add({ type: 'delay', ms, ...match }),
    drop: (match = {}) => add({ type: 'drop', ...match }),
    clear: () => {
      rules = [];
    },
    list: () => rules.map((rule) => ({ ...rule })),
    decide(method, path) {
      const decision: FaultDecision = { delayMs: 0, outcome: undefined };
      // Delays add up; the first fail or drop rule in order decides the outcome.
      for (const rule of [...rules]) {
        if (!ruleMatches(rule, method, path)) continue;
        if (rule.rate !== undefined && random() >= rule.rate) continue;
        if (rule.type === 'delay') {
          decision.delayMs += rule.ms;
          consume(rule);
        } else if (decision.outcome === undefined) {
          decision.outcome =
            rule.type === 'fail'
              ? { type: 'fail', status: rule.status, retryAfterSeconds: rule.retryAfterSeconds }
              : { type: 'drop' };
          consume(rule);
        }
      }
      return decision;
    },
  };
}
