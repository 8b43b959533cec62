import { Context } from '@temporalio/activity';
import type { Ledger } from '../src/ledger';
import type { Payments } from '../src/payments';
import type { ProvisioningClients } from '../src/provisioning/provisioning-clients';
import { reconcileAndRecord } from '../src/reconcile/record-run';
import type { ReconcileReport } from '../src/reconcile/reconcile';

/** What a scheduled reconciliation returns: the report, and the ledger id it is kept under. */
export type RecordedReport = ReconcileReport & { runId: string; id: string };

/** The reconciliation as an activity, for a schedule (see workflows/reconcile-workflow.ts). */
export function createReconcileActivities(deps: {
  ledger: Ledger;
  payments: Payments;
  provisioning: ProvisioningClients;
}) {
  return {
    /**
     * Keyed by the workflow id (the schedule gives each run its own), so a retried
     * attempt overwrites its run's row instead of listing the run twice.
     */
    async reconcile(input: { since: string }): Promise<RecordedReport> {
      const { workflowExecution, activityId } = Context.current().info;
      const runId = workflowExecution?.workflowId ?? `reconcile-${activityId}`;
      const { report, run } = await reconcileAndRecord(deps, {
        since: input.since,
        runId,
        trigger: 'schedule',
      });
      return { ...report, runId, id: run.id };
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
