import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { forwardStep } from './retry-presets';
import type { SweepInput, SweepTotals } from './renewal-types';

/**
 * Starts one renewal per subscription and period that is due as of the sweep's own
 * workflow time, a page at a time. The renewal's id comes from the subscription and the
 * period, so a sweep that runs twice, overlaps another or is triggered by hand finds the
 * renewal already started (or done) and starts nothing: it never charges twice.
 * Renewals are started by an activity, not as children, so they outlive the sweep; the
 * sweep continues as new after each page, which keeps its history to one page however
 * many subscriptions are due.
 */
export async function renewalSweepWorkflow(input: SweepInput): Promise<SweepTotals> {
  const acts = proxyActivities<RenewalActivities>({
    ...forwardStep(input.steps),
    // One page of starts, each heartbeating: a killed worker's page is retried elsewhere.
    startToCloseTimeout: Math.max(input.steps.stepTimeoutMs, input.pageSize * 1000),
    heartbeatTimeout: input.steps.stepTimeoutMs,
  });
  // Fixed by the first run, so every page of one sweep answers the same question.
  const asOf = input.asOf ?? new Date(Date.now()).toISOString();
  const totals: SweepTotals = input.totals ?? { pages: 0, due: 0, started: 0, alreadyStarted: 0 };

  const page = await acts.dueRenewals({
    asOf,
    after: input.after,
    limit: input.pageSize,
    only: input.job === 'period-end-changes' ? 'pending-change' : 'all',
  });
  const started = await acts.startRenewals({
    items: page.items,
    template: { policy: input.policy, steps: input.steps, asOf },
    concurrency: input.concurrency,
  });
  totals.pages += 1;
  totals.due += page.items.length;
  totals.started += started.started;
  totals.alreadyStarted += started.alreadyStarted;

  if (page.next) {
    await continueAsNew<typeof renewalSweepWorkflow>({ ...input, asOf, after: page.next, totals });
  }
  return totals;
}
