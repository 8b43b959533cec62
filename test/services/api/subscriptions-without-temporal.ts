import { Client, Connection } from '@temporalio/client';
import type { Ledger } from '../../../src/ledger';
import {
  createSubscriptionService,
  type SubscriptionService,
} from '../../../src/subscriptions/subscription-service';

/**
 * The subscription use cases over a real ledger and a Temporal client that reaches
 * nothing: what the API decides before a workflow could start (refusals, the tenant
 * rule) is tested without a server, and anything that did try to start would fail.
 */
export function subscriptionsWithoutTemporal(
  ledger: Ledger,
  options: { taskQueue: string; now?: () => number },
): { subscriptions: SubscriptionService; close: () => Promise<void> } {
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const subscriptions = createSubscriptionService({
    client: new Client({ connection }),
    ledger,
    taskQueue: options.taskQueue,
    policy: {
      stepAttempts: 1,
      stepInitialIntervalMs: 100,
      stepTimeoutMs: 1000,
      authenticationTimeoutMs: 1000,
      attentionDeadlineMs: 1000,
    },
    ...(options.now && { now: options.now }),
  });
  return { subscriptions, close: () => connection.close() };
}
