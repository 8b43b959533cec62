import { orderWorkflowId } from '../../workflows/order-types';
import { RETIRED_HISTORY_CODEC_KEYS } from './history-codec';

/**
 * Records a completed order whose payloads are encrypted under a key since retired, for
 * the replay test's rotation case. It goes through the API as a shop would:
 *   npx tsx test/harness/record-rotation-history.ts
 */
import { withRecordingStack, writeHistory } from './recording-stack';

async function main(): Promise<void> {
  await withRecordingStack(
    {
      TEMPORAL_CODEC_KEYS: RETIRED_HISTORY_CODEC_KEYS,
    },
    async (stack) => {
      const keys = stack.generatedApiKeys!;
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${stack.api.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${keys.checkout}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then(async (response) => (await response.json()) as { state?: string });
      const placed = await call('POST', '/v1/orders', {
        kind: 'plan',
        orderId: 'rec-rotated',
        tenantId: 'rec-rotation',
        plan: 'sales-premium',
        seats: 2,
        period: 'month',
        assignTo: ['rotation-user'],
        customer: { email: 'rotation@example.com' },
        paymentMethod: 'pm_card_visa',
      });
      if (!placed.state) throw new Error(`order refused: ${JSON.stringify(placed)}`);
      const handle = stack.client.workflow.getHandle(orderWorkflowId('rec-rotated'));
      const result = (await handle.result()) as { state?: string };
      if (result.state !== 'completed') throw new Error(`order ended ${JSON.stringify(result)}`);
      await writeHistory('rotation', 'rec-rotated', handle);
    },
  );
}

void main();
