import type { Config } from '../config';
import { renewalStepPolicy, subscriptionPolicy } from '../runtime/temporal';
import type { SweepInput } from '../../workflows/renewal-types';
import type { ReconcileInput } from '../../workflows/reconcile-workflow';

/**
 * The jobs the product runs on Temporal Schedules, one schedule each, by a fixed id so
 * that applying them again updates them. Each starts a workflow; what it does is in
 * the workflow, so a run started by hand (`schedules trigger`) is the same run.
 */
export interface ScheduledJob {
  /** The schedule's id, and the prefix of its workflows' ids. */
  id: string;
  description: string;
  intervalMs: number;
  workflowType: string;
  args: unknown[];
}

export function scheduledJobs(config: Config): ScheduledJob[] {
  const sweep = (job: SweepInput['job']): SweepInput => ({
    job,
    pageSize: config.RENEWAL_SWEEP_PAGE_SIZE,
    concurrency: config.RENEWAL_SWEEP_CONCURRENCY,
    policy: subscriptionPolicy(config),
    steps: renewalStepPolicy(config),
  });
  return [
    {
      id: 'renewal-sweep',
      description: 'start the renewal of every subscription whose period has ended',
      intervalMs: config.RENEWAL_SWEEP_INTERVAL,
      workflowType: 'renewalSweepWorkflow',
      args: [sweep('renewals')],
    },
    {
      // The same renewals, found by their pending change: a downgrade or cancellation
      // takes effect on time even if the renewal sweep is paused or slow. Both start
      // the same renewal ids, so running both is harmless.
      id: 'period-end-changes',
      description: 'apply downgrades and cancellations due at period end',
      intervalMs: config.RENEWAL_SWEEP_INTERVAL,
      workflowType: 'renewalSweepWorkflow',
      args: [sweep('period-end-changes')],
    },
    {
      // The window overlaps the interval (3 days run daily), so an order that changed
      // while a run was skipped or failed is still compared by the next one.
      id: 'reconcile',
      description: 'compare Stripe, the ledger and the provisioned resources; keep the report',
      intervalMs: config.RECONCILE_INTERVAL,
      workflowType: 'reconcileWorkflow',
      args: [{ windowMs: config.RECONCILE_WINDOW } satisfies ReconcileInput],
    },
  ];
}
