import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { HarnessActivities, Reminder } from './activities';

const { sendRenewalReminder } = proxyActivities<HarnessActivities>({
  startToCloseTimeout: '10 seconds',
});

/** A timer of thirty days, then an activity: the shape of every renewal we will run. */
export async function remindAfterThirtyDays(subscriptionId: string): Promise<Reminder> {
  await sleep('30 days');
  return sendRenewalReminder(subscriptionId, Date.now());
}

export const approveSignal = defineSignal<[approver: string]>('approve');
export const approvalQuery = defineQuery<{ approvedBy: string | null }>('approval');

/** Waits for an approval signal; a query reads where it stands at any time. */
export async function awaitApproval(): Promise<string> {
  let approvedBy: string | null = null;
  setHandler(approvalQuery, () => ({ approvedBy }));
  setHandler(approveSignal, (approver) => {
    approvedBy ??= approver;
  });
  await condition(() => approvedBy !== null);
  return String(approvedBy);
}
