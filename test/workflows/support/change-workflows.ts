// The change workflow, and a stand-in for the renewal of the current period that only
// waits for the payment-method signal (the real renewal lives in its own workflow).
import { condition, setHandler } from '@temporalio/workflow';
import { paymentMethodUpdatedSignal } from '../../../workflows/messages';

export { subscriptionChangeWorkflow } from '../../../workflows/subscription-change-workflow';

export async function renewalStandIn(): Promise<string> {
  let updated = false;
  setHandler(paymentMethodUpdatedSignal, () => {
    updated = true;
  });
  await condition(() => updated);
  return 'retried with the new method';
}
