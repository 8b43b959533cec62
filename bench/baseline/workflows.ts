import {
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

/** Answered once "authorize" is done, as checkout's update on a real order. */
export const baselineCheckout = defineUpdate<string>('checkout');
export const baselineState = defineQuery<string>('orderStatus');

/**
 * The reference an order is measured against: a workflow of the order's shape
 * (update-with-start answered after the authorization, then the rest of the steps, one
 * activity each, in sequence) whose activities do nothing.
 */
export async function baselineOrderWorkflow(steps: number): Promise<string> {
  const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });
  let state = 'received';
  setHandler(baselineState, () => state);
  setHandler(baselineCheckout, async () => {
    await condition(() => state !== 'received');
    return state;
  });
  await noop('ensure-customer');
  await noop('authorize');
  state = 'authorized';
  for (let step = 2; step < steps; step++) await noop(`step-${step}`);
  state = 'completed';
  return state;
}
