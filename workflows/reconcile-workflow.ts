import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities } from '../activities/reconcile-activities';
import type { ReconcileReport } from '../src/reconcile/reconcile';

export interface ReconcileInput {
  /** How far back the orders compared were changed (a daily schedule: a few days). */
  windowMs: number;
}

/**
 * `provisioner reconcile` as a workflow a Temporal Schedule can start (daily, say): the
 * report, with every drift, is the run's result in the schedule's history.
 */
export async function reconcileWorkflow(input: ReconcileInput): Promise<ReconcileReport> {
  const { reconcile } = proxyActivities<ReconcileActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumAttempts: 3 },
  });
  return reconcile({ since: new Date(Date.now() - input.windowMs).toISOString() });
}
