import { FINAL_STATES, orderWorkflowId, type OrderStatus } from '../../workflows/order-types';
import { orderStatusQuery } from '../../workflows/messages';
import { createOrderService } from '../../src/orders/order-service';
import { orderPolicy } from '../../src/runtime/temporal';
import { purchaseSchema } from '../../src/catalog/purchase';
import { HISTORY_CODEC_KEYS } from './history-codec';

/**
 * Records real order histories (completed, declined, 3-D Secure, aborted by ops) for the
 * replay test, which checks that today's workflow code still replays them. Run it again
 * only when a workflow change is meant to be incompatible (and then version the workflow):
 *   npx tsx test/harness/record-order-histories.ts
 * With an argument, the orders and their files take it as a suffix, so histories of a
 * new revision join the older ones instead of replacing them:
 *   npx tsx test/harness/record-order-histories.ts rev1
 */
import { withRecordingStack, writeHistory } from './recording-stack';

const suffix = process.argv[2] ? `-${process.argv[2]}` : '';
const named = (name: string) => `${name}${suffix}`;

async function main(): Promise<void> {
  await withRecordingStack(
    {
      TEMPORAL_CODEC_KEYS: HISTORY_CODEC_KEYS,
      ORDER_STEP_ATTEMPTS: '1',
      ORDER_STEP_INITIAL_INTERVAL_MS: '100',
    },
    async (stack) => {
      const orders = createOrderService({
        client: stack.client,
        ledger: stack.services.ledger,
        answerTimeoutMs: stack.config.CHECKOUT_ANSWER_TIMEOUT_MS,
        taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
        policy: orderPolicy(stack.config),
      });
      const place = (fields: Record<string, unknown>) =>
        orders.placeOrder(
          purchaseSchema.parse({
            customer: { email: 'billing@example.com' },
            paymentMethod: 'pm_card_visa',
            period: 'month',
            ...fields,
          }),
        );
      const settle = async (orderId: string, done: (s: OrderStatus) => boolean) => {
        for (;;) {
          const status = await orders.getOrder(orderId);
          if (done(status)) return status;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const final = (s: OrderStatus) => FINAL_STATES.includes(s.state);

      await place({
        kind: 'plan',
        orderId: named('rec-plan'),
        tenantId: 'rec-a',
        plan: 'sales-premium',
        seats: 2,
        assignTo: ['alice'],
      });
      await settle(named('rec-plan'), final);

      await place({
        kind: 'plan',
        orderId: named('rec-declined'),
        tenantId: 'rec-b',
        plan: 'service-essentials',
        seats: 1,
        paymentMethod: 'pm_card_chargeDeclined',
      });
      await settle(named('rec-declined'), final);

      await place({
        kind: 'addon',
        orderId: named('rec-3ds'),
        tenantId: 'rec-c',
        addon: 'ai',
        paymentMethod: 'pm_card_authenticationRequired',
      });
      const waiting = await settle(named('rec-3ds'), (s) => s.payment !== undefined);
      stack.stripe!.authenticate(waiting.payment!.paymentIntentId, 'succeed');
      await settle(named('rec-3ds'), final);

      stack.simulators!.cep.faults.outage();
      await place({
        kind: 'addon',
        orderId: named('rec-aborted'),
        tenantId: 'rec-d',
        addon: 'cep',
      });
      await settle(named('rec-aborted'), (s) => s.state === 'needs-attention');
      stack.simulators!.cep.faults.clear();
      await orders.decide(named('rec-aborted'), { action: 'abort', by: 'ops@example.com' });
      await settle(named('rec-aborted'), final);

      for (const orderId of ['rec-plan', 'rec-declined', 'rec-3ds', 'rec-aborted'].map(named)) {
        const handle = stack.client.workflow.getHandle(orderWorkflowId(orderId));
        await handle.query(orderStatusQuery);
        await writeHistory('orders', orderId, handle);
      }
    },
  );
}

void main();
