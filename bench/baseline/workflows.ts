import {
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

/** Answered once "authorize" is done, as checkout's update on a real order. */
export const baselineCheckout = defineUpdate<string>('checkout');
export const baselineState = defineQuery<string>('orderStatus');

/**
 * How the reference runs its steps: `activities`, each step an activity of its own (the
 * shape the goal is set against); `local`, the order's shape since revision 3 (every step
 * a local activity but the third, the grant, which ends the authorizing workflow task).
 */
export type BaselineShape = 'activities' | 'local';

/**
 * The reference an order is measured against: a workflow of the order's shape
 * (update-with-start answered after the authorization, then the rest of the steps, one
 * activity each, in sequence) whose activities do nothing.
 */
export async function baselineOrderWorkflow(
  steps: number,
  shape: BaselineShape = 'activities',
): Promise<string> {
  const options = { startToCloseTimeout: '30 seconds' };
  const remote = proxyActivities<BaselineActivities>(options);
  const step = shape === 'local' ? proxyLocalActivities<BaselineActivities>(options) : remote;
  let state = 'received';
  setHandler(baselineState, () => state);
  setHandler(baselineCheckout, async () => {
    await condition(() => state !== 'received');
    return state;
  });
  await step.noop('ensure-customer');
  await step.noop('authorize');
  state = 'authorized';
  await remote.noop('step-2');
  for (let next = 3; next < steps; next++) await step.noop(`step-${next}`);
  state = 'completed';
  return state;
}
