/**
 * What the emulator did, counted once per real effect (a replayed response counts as a
 * replay, not as a second capture), so a test can assert "exactly one capture".
 */
export const EMULATOR_COUNTERS = [
  /** API requests received (control requests excluded). */
  'requests',
  /** Responses replayed for a repeated idempotency key. */
  'replays',
  /** Requests answered by a fault rule instead of, or after, the API. */
  'injectedFaults',
  'customers',
  'paymentIntents',
  /** Intents that reached requires_capture: money held. */
  'authorizations',
  /** Manual captures of a held amount. */
  'captures',
  /** Payments captured at confirmation (capture_method automatic): renewals. */
  'charges',
  /** Failed payment attempts: declines, failed or required authentication. */
  'declines',
  'cancels',
  'refunds',
  'events',
  'webhookDeliveries',
  'webhookFailures',
] as const;
export type EmulatorCounter = (typeof EMULATOR_COUNTERS)[number];

const INTENT_COUNTERS = [
  'authorizations',
  'captures',
  'charges',
  'declines',
  'cancels',
  'refunds',
] as const;
export type IntentCounter = (typeof INTENT_COUNTERS)[number];
export type IntentCounts = Record<IntentCounter, number>;

export interface StatsSnapshot {
  totals: Record<EmulatorCounter, number>;
  intents: Record<string, IntentCounts>;
}

export class EmulatorStats {
  private readonly totals = new Map<EmulatorCounter, number>();
  private readonly intents = new Map<string, IntentCounts>();

  count(counter: EmulatorCounter, paymentIntentId?: string): void {
    this.totals.set(counter, this.get(counter) + 1);
    if (paymentIntentId === undefined || !isIntentCounter(counter)) return;
    const counts = this.intents.get(paymentIntentId) ?? emptyIntentCounts();
    counts[counter] += 1;
    this.intents.set(paymentIntentId, counts);
  }

  get(counter: EmulatorCounter): number {
    return this.totals.get(counter) ?? 0;
  }

  forIntent(paymentIntentId: string): IntentCounts {
    return { ...(this.intents.get(paymentIntentId) ?? emptyIntentCounts()) };
  }

  snapshot(): StatsSnapshot {
    const totals = Object.fromEntries(EMULATOR_COUNTERS.map((c) => [c, this.get(c)]));
    const intents = Object.fromEntries(
      [...this.intents].map(([id, counts]) => [id, { ...counts }]),
    );
    return { totals: totals as Record<EmulatorCounter, number>, intents };
  }
}

function isIntentCounter(counter: EmulatorCounter): counter is IntentCounter {
  return (INTENT_COUNTERS as readonly string[]).includes(counter);
}

function emptyIntentCounts(): IntentCounts {
  return { authorizations: 0, captures: 0, charges: 0, declines: 0, cancels: 0, refunds: 0 };
}
