import { Context } from '@temporalio/activity';

export interface Reminder {
  subscriptionId: string;
  /** Workflow-clock time when the reminder was due, as the workflow saw it. */
  dueAt: number;
  attempt: number;
}

/** Harness activities: they record what the workflows asked for, nothing more. */
export function createHarnessActivities(sent: Reminder[]) {
  return {
    async sendRenewalReminder(subscriptionId: string, dueAt: number): Promise<Reminder> {
      const reminder = { subscriptionId, dueAt, attempt: Context.current().info.attempt };
      sent.push(reminder);
      return reminder;
    },
  };
}

export type HarnessActivities = ReturnType<typeof createHarnessActivities>;
