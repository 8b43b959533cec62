import { sleep } from '@temporalio/workflow';
import type { OrderInput, OrderStatus } from '../../../workflows/order-types';
import { purchaseWorkflow as shipped } from '../../../workflows/purchase-workflow';

/**
 * An incompatible edit of the purchase workflow, unguarded by `patched()`: a timer before
 * its first step. Replaying an order recorded by the shipped workflow must fail on it,
 * which is what shows the replay test can catch such a change.
 */
export async function purchaseWorkflow(input: OrderInput): Promise<OrderStatus> {
  await sleep('1 second');
  return shipped(input);
}
