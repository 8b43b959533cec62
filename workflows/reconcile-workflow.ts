import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities, RecordedReport } from '../activities/reconcile-activities';

export interface ReconcileInput {
  /** How far back the orders compared were changed (a daily schedule: a few days). */
  windowMs: number;
}

/**
 * `provisioner reconcile` as a workflow the daily Temporal Schedule starts: the report,
 * with every drift, is kept in the ledger (`reconcile_runs`, listed by `provisioner
 * reconcile runs` and `GET /v1/ops/reconcile-runs`) and is the run's result.
 */
export async function reconcileWorkflow(input: ReconcileInput): Promise<RecordedReport> {
  const { reconcile } = proxyActivities<ReconcileActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumAttempts: 3 },
  });
  return reconcile({ since: new Date(Date.now() - input.windowMs).toISOString() });
}
