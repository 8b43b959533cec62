import { purchaseSchema } from '../../src/catalog/purchase';
import { createOrderService } from '../../src/orders/order-service';
import { orderPolicy } from '../../src/runtime/temporal';
import { changeRequestSchema } from '../../src/contract/change-requests';
import { createSubscriptionService } from '../../src/subscriptions/subscription-service';
import { FINAL_STATES, type OrderStatus } from '../../workflows/order-types';
import {
  FINAL_CHANGE_STATES,
  type ChangeStatus,
} from '../../workflows/subscription-change-contract';
import { subscriptionChangeWorkflowId } from '../../workflows/subscription-types';

/**
 * Records real subscription change histories (upgrade, seats, a scheduled downgrade, a
 * withdrawal, an immediate cancellation, an upgrade aborted by ops) for the replay test.
 * Run it again only when a workflow change is meant to be incompatible:
 *   npx tsx test/harness/record-change-histories.ts
 */
import { withRecordingStack, writeHistory } from './recording-stack';

async function main(): Promise<void> {
  await withRecordingStack(
    {
      ORDER_STEP_ATTEMPTS: '1',
      ORDER_STEP_INITIAL_INTERVAL_MS: '100',
    },
    async (stack) => {
      const options = {
        client: stack.client,
        taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
        policy: orderPolicy(stack.config),
      };
      const orders = createOrderService({
        ...options,
        ledger: stack.services.ledger,
        answerTimeoutMs: stack.config.CHECKOUT_ANSWER_TIMEOUT_MS,
      });
      const subscriptions = createSubscriptionService({
        ...options,
        ledger: stack.services.ledger,
      });

      const buy = async (orderId: string) => {
        await orders.placeOrder(
          purchaseSchema.parse({
            kind: 'plan',
            orderId,
            tenantId: `${orderId}-tenant`,
            plan: 'sales-essentials',
            seats: 3,
            period: 'month',
            assignTo: ['alice', 'bob'],
            customer: { email: 'billing@example.com' },
            paymentMethod: 'pm_card_visa',
          }),
        );
        for (;;) {
          const status: OrderStatus = await orders.getOrder(orderId);
          if (FINAL_STATES.includes(status.state)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        return { tenantId: `${orderId}-tenant`, subscriptionId: `sub-${orderId}` };
      };
      const recorded: { subscriptionId: string; changeId: string; name: string }[] = [];
      const ask = async (
        bought: { tenantId: string; subscriptionId: string },
        name: string,
        request: Record<string, unknown>,
      ): Promise<ChangeStatus> => {
        const status = await subscriptions.requestChange(
          bought.tenantId,
          bought.subscriptionId,
          changeRequestSchema.parse({ changeId: name, ...request }),
        );
        recorded.push({ subscriptionId: bought.subscriptionId, changeId: name, name });
        return status;
      };

      const a = await buy('rec-chg-a');
      await ask(a, 'rec-upgrade', {
        kind: 'upgrade',
        plan: 'sales-premium',
        seats: 4,
        paymentMethod: 'pm_card_visa',
      });
      await ask(a, 'rec-seats', { kind: 'seats', assign: ['carol'], unassign: ['bob'] });
      await ask(a, 'rec-downgrade', { kind: 'downgrade', seats: 2 });
      await ask(a, 'rec-withdraw', { kind: 'withdraw', target: 'rec-downgrade' });
      await ask(a, 'rec-payment-method', {
        kind: 'payment-method',
        paymentMethod: 'pm_card_mastercard',
      });
      await ask(a, 'rec-cancel-now', { kind: 'cancel', immediately: true });

      const b = await buy('rec-chg-b');
      stack.stripe!.faults.add({
        type: 'error-before-write',
        method: 'POST',
        path: '/v1/payment_intents/',
        times: 100,
      });
      await ask(b, 'rec-aborted', {
        kind: 'upgrade',
        plan: 'sales-premium',
        paymentMethod: 'pm_card_visa',
      });
      stack.stripe!.faults.clear();
      await subscriptions.decide(b.subscriptionId, 'rec-aborted', {
        action: 'abort',
        by: 'ops@example.com',
      });

      for (const { subscriptionId, changeId, name } of recorded) {
        const handle = stack.client.workflow.getHandle(
          subscriptionChangeWorkflowId(subscriptionId, changeId),
        );
        for (;;) {
          const { status } = await subscriptions.getChange(
            subscriptionId.replace(/^sub-/, '') + '-tenant',
            subscriptionId,
            changeId,
          );
          if (status && FINAL_CHANGE_STATES.includes(status.state)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await handle.result();
        await writeHistory('changes', name, handle);
      }
    },
  );
}

void main();
