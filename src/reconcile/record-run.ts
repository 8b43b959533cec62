import type { ReconcileRun } from '../ledger';
import { reconcile, type ReconcileDeps, type ReconcileReport } from './reconcile';

export interface RecordedReconcile {
  report: ReconcileReport;
  run: ReconcileRun;
}

/**
 * Reconciles, then keeps the report in the ledger under `runId`, so ops can list what
 * each run found (`provisioner reconcile runs`, `GET /v1/ops/reconcile-runs`). The
 * schedule's runs and the command's share this; a repeated run id keeps one row.
 */
export async function reconcileAndRecord(
  deps: ReconcileDeps,
  options: { since: string; runId: string; trigger: ReconcileRun['trigger']; now?: number },
): Promise<RecordedReconcile> {
  const startedAt = new Date();
  const report = await reconcile(deps, { since: options.since, now: options.now });
  const run = await deps.ledger.recordReconcileRun({
    runId: options.runId,
    trigger: options.trigger,
    since: report.since,
    startedAt,
    finishedAt: new Date(),
    checkedOrders: report.checkedOrders,
    drifts: report.drifts.map((drift) => ({ ...drift })),
  });
  return { report, run };
}
