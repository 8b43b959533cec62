import { randomUUID } from 'node:crypto';
import {
  acquireLease,
  dueDeliveries,
  enqueueDeliveries,
  recordAttempt,
  releaseLease,
  type DueDelivery,
  type SqlDb,
} from '../ledger';
import { SIGNATURE_HEADER, signEvent } from './signature';
import type { Subscriber } from './subscribers';

export interface EventRelayOptions {
  db: SqlDb;
  subscribers: Subscriber[];
  /** First retry after this long; each further one waits twice as long, up to an hour. */
  retryBaseMs?: number;
  /** Attempts before a delivery is `dead` and holds its tenant's later events back. */
  maxAttempts?: number;
  /** How long one HTTP attempt may take. */
  timeoutMs?: number;
  /** Deliveries sent at once (each to a different tenant, so order is kept). */
  concurrency?: number;
  log?: (line: string) => void;
}

const LEASE = 'event-relay';
const MAX_BACKOFF_MS = 60 * 60 * 1000;

/** The body a subscriber receives. `id` is stable: the same event always has the same id. */
export function deliveryBody(delivery: DueDelivery): string {
  const { event } = delivery;
  return JSON.stringify({
    id: `evt_${event.id}`,
    idempotencyKey: event.idempotencyKey,
    type: event.type,
    tenantId: event.tenantId,
    orderId: event.orderId,
    createdAt: event.createdAt,
    data: event.payload,
  });
}

/**
 * Publishes the ledger's outbox to the subscribers: at least once, in order per tenant,
 * signed. One relay sends at a time (a lease in the ledger), so running it in every
 * worker process is safe; another takes over within the lease's time if the holder dies.
 */
export function createEventRelay(options: EventRelayOptions) {
  const {
    db,
    subscribers,
    retryBaseMs = 1000,
    maxAttempts = 15,
    timeoutMs = 10_000,
    concurrency = 8,
    log = () => undefined,
  } = options;
  const holder = randomUUID();
  const leaseMs = Math.max(30_000, timeoutMs * 3);

  async function send(subscriber: Subscriber, delivery: DueDelivery): Promise<void> {
    const body = deliveryBody(delivery);
    const timestamp = Math.floor(Date.now() / 1000);
    let error: string | undefined;
    try {
      const response = await fetch(subscriber.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signEvent(subscriber.secret, body, timestamp),
          'provisioner-event-id': `evt_${delivery.event.id}`,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) error = `HTTP ${response.status}`;
    } catch (cause: unknown) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    const attempts = delivery.attempts + 1;
    if (error === undefined) {
      await recordAttempt(db, {
        subscriber: subscriber.name,
        eventId: delivery.event.id,
        delivered: true,
      });
      return;
    }
    const giveUp = attempts >= maxAttempts;
    if (giveUp)
      log(
        `event evt_${delivery.event.id} to ${subscriber.name} is dead after ${attempts} attempts: ${error}`,
      );
    await recordAttempt(db, {
      subscriber: subscriber.name,
      eventId: delivery.event.id,
      delivered: false,
      error,
      giveUp,
      retryInMs: Math.min(retryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS),
    });
  }

  /** Sends what is due to one subscriber until nothing more is due now. */
  async function drain(subscriber: Subscriber): Promise<number> {
    let sent = 0;
    for (;;) {
      await enqueueDeliveries(db, subscriber.name);
      const due = await dueDeliveries(db, subscriber.name, concurrency);
      if (due.length === 0) return sent;
      await Promise.all(due.map((delivery) => send(subscriber, delivery)));
      sent += due.length;
    }
  }

  /** One pass over every subscriber; returns the attempts made (0 without the lease). */
  async function pass(): Promise<number> {
    if (subscribers.length === 0) return 0;
    if (!(await acquireLease(db, LEASE, holder, leaseMs))) return 0;
    let attempts = 0;
    for (const subscriber of subscribers) attempts += await drain(subscriber);
    return attempts;
  }

  /** Runs a pass every `intervalMs` until stopped; a failing pass is logged and retried. */
  function start(intervalMs = 1000): { stop(): Promise<void> } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const tick = () => {
      running = pass()
        .then(() => undefined)
        .catch((error: unknown) => log(`event relay pass failed: ${String(error)}`))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, intervalMs);
        });
    };
    tick();
    return {
      async stop() {
        stopped = true;
        clearTimeout(timer);
        await running;
        await releaseLease(db, LEASE, holder).catch(() => undefined);
      },
    };
  }

  return { pass, start };
}

export type EventRelay = ReturnType<typeof createEventRelay>;
