import { proxyActivities, sleep } from '@temporalio/workflow';
import type { HarnessActivities, Reminder } from '../activities';

const { sendRenewalReminder } = proxyActivities<HarnessActivities>({
  startToCloseTimeout: '10 seconds',
});

/**
 * An incompatible edit of `remindAfterThirtyDays`: the activity now runs before the
 * timer. Replaying a history recorded by the original must fail on it.
 */
export async function remindAfterThirtyDays(subscriptionId: string): Promise<Reminder> {
  const reminder = await sendRenewalReminder(subscriptionId, Date.now());
  await sleep('30 days');
  return reminder;
}
