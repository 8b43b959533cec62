import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import type { EmulatedEvent } from './emulated-objects';
import type { RegisteredEndpoint } from './emulator-state';
import { signWebhookPayload } from './webhook-signature';

export const webhookRetrySchema = z.strictObject({
  /** Attempts per delivery, the first included. Stripe tries for days; we stop sooner. */
  maxAttempts: z.int().min(1).max(20).default(5),
  initialDelayMs: z.int().min(0).max(60_000).default(100),
  maxDelayMs: z.int().min(0).max(600_000).default(2_000),
  /** How long a receiver may take to answer before the attempt counts as failed. */
  timeoutMs: z.int().positive().max(60_000).default(5_000),
});
export type WebhookRetryOptions = z.input<typeof webhookRetrySchema>;

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  endpointId: string;
  url: string;
  attempt: number;
  /** The receiver's HTTP status; absent when the connection failed or timed out. */
  status?: number;
  error?: string;
  delivered: boolean;
  at: string;
}

export interface WebhookModes {
  /** Send every delivery twice, as Stripe may: receivers must be idempotent by event id. */
  duplicate: boolean;
  /** Keep deliveries back until `release()`. */
  hold: boolean;
}

interface Delivery {
  event: EmulatedEvent;
  payload: string;
  target: RegisteredEndpoint;
  attempt: number;
}

/**
 * Sends events to webhook endpoints asynchronously, one attempt at a time (so the order
 * of sending is the order of arrival, which the out-of-order mode relies on), retrying a
 * failed attempt (non-2xx, connection error, timeout) with bounded exponential backoff.
 */
export class WebhookDispatcher {
  private readonly retry: z.output<typeof webhookRetrySchema>;
  private readonly queue: Delivery[] = [];
  private readonly held: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: DeliveryAttempt[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private modes: WebhookModes = { duplicate: false, hold: false };
  private sending = false;
  private closed = false;

  constructor(
    retry: WebhookRetryOptions,
    private readonly onAttempt: (attempt: DeliveryAttempt) => void = () => undefined,
  ) {
    this.retry = webhookRetrySchema.parse(retry);
  }

  dispatch(event: EmulatedEvent, targets: RegisteredEndpoint[]): void {
    // Most events have no endpoint that asked for them: nothing to serialize.
    if (this.closed || targets.length === 0) return;
    const payload = JSON.stringify(event, null, 2);
    for (const target of targets) {
      const copies = this.modes.duplicate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const delivery: Delivery = { event, payload, target, attempt: 1 };
        if (this.modes.hold) this.held.push(delivery);
        else this.enqueue(delivery);
      }
    }
  }

  setModes(modes: Partial<WebhookModes>): WebhookModes {
    this.modes = { ...this.modes, ...modes };
    return { ...this.modes };
  }

  getModes(): WebhookModes {
    return { ...this.modes };
  }

  /** Stops holding and sends what was held, in the order sent or reversed. */
  release(order: 'sent' | 'reverse' = 'sent'): number {
    this.modes.hold = false;
    const released = this.held.splice(0, this.held.length);
    if (order === 'reverse') released.reverse();
    for (const delivery of released) this.enqueue(delivery);
    return released.length;
  }

  heldCount(): number {
    return this.held.length;
  }

  attempts(): DeliveryAttempt[] {
    return this.log.map((attempt) => ({ ...attempt }));
  }

  /** Resolves once nothing is queued, being sent or waiting to be retried (held aside). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.held.length = 0;
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && !this.sending && this.timers.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    for (const resolve of this.idleWaiters.splice(0, this.idleWaiters.length)) resolve();
  }

  private enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (let next = this.queue.shift(); next && !this.closed; next = this.queue.shift()) {
        const attempt = await this.send(next);
        this.log.push(attempt);
        this.onAttempt(attempt);
        if (!attempt.delivered && next.attempt < this.retry.maxAttempts && !this.closed) {
          this.scheduleRetry({ ...next, attempt: next.attempt + 1 });
        }
      }
    } finally {
      this.sending = false;
      this.notifyIdle();
    }
  }

  private scheduleRetry(delivery: Delivery): void {
    const { initialDelayMs, maxDelayMs } = this.retry;
    const delay = Math.min(initialDelayMs * 2 ** (delivery.attempt - 2), maxDelayMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(delivery);
    }, delay);
    this.timers.add(timer);
  }

  /** One attempt, signed afresh (Stripe signs each attempt with its own timestamp). */
  private send(delivery: Delivery): Promise<DeliveryAttempt> {
    const { event, payload, target } = delivery;
    const base = {
      eventId: event.id,
      type: event.type,
      endpointId: target.endpoint.id,
      url: target.endpoint.url,
      attempt: delivery.attempt,
      at: new Date().toISOString(),
    };
    return new Promise((resolve) => {
      const url = new URL(target.endpoint.url);
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        // No keep-alive: the emulator must be able to close without waiting on sockets.
        agent: false,
        timeout: this.retry.timeoutMs,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signWebhookPayload(payload, target.secret),
        },
      });
      request.on('response', (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve({ ...base, status, delivered: status >= 200 && status < 300 });
      });
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error: Error) => {
        resolve({ ...base, error: error.message, delivered: false });
      });
      request.end(payload);
    });
  }
}
