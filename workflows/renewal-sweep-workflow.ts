import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  continueAsNew,
  proxyActivities,
  startChild,
} from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { forwardStep } from './retry-presets';
import { renewalWorkflow } from './renewal-workflow';
import type { RenewalInput, SweepInput, SweepTotals } from './renewal-types';
import { renewalWorkflowId } from './subscription-types';

/**
 * Starts one renewal per subscription and period that is due as of the sweep's own
 * workflow time, a page at a time. The renewal's id comes from the subscription and the
 * period, so a sweep that runs twice, overlaps another or is triggered by hand finds the
 * renewal already started (or done) and starts nothing: it never charges twice.
 * Renewals are abandoned children, so they outlive the sweep and its continue-as-new,
 * which keeps the sweep's history to one page however many are due.
 */
export async function renewalSweepWorkflow(input: SweepInput): Promise<SweepTotals> {
  const acts = proxyActivities<RenewalActivities>(forwardStep(input.steps));
  // Fixed by the first run, so every page of one sweep answers the same question.
  const asOf = input.asOf ?? new Date(Date.now()).toISOString();
  const totals: SweepTotals = input.totals ?? { pages: 0, due: 0, started: 0, alreadyStarted: 0 };

  const page = await acts.dueRenewals({
    asOf,
    after: input.after,
    limit: input.pageSize,
    only: input.job === 'period-end-changes' ? 'pending-change' : 'all',
  });
  totals.pages += 1;
  totals.due += page.items.length;

  const queue = [...page.items];
  const starter = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const renewal: RenewalInput = {
        subscriptionId: item.id,
        periodStart: item.periodStart,
        policy: input.policy,
        steps: input.steps,
        asOf,
      };
      try {
        await startChild(renewalWorkflow, {
          workflowId: renewalWorkflowId(item.id, item.periodStart),
          args: [renewal],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          // A renewal that finished is not run again for the same period; one that
          // failed (terminated by hand) may be.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        });
        totals.started += 1;
      } catch (error: unknown) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        totals.alreadyStarted += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, input.concurrency) }, starter));

  if (page.next) {
    await continueAsNew<typeof renewalSweepWorkflow>({ ...input, asOf, after: page.next, totals });
  }
  return totals;
}
