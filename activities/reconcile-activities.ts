import type { Ledger } from '../src/ledger';
import type { Payments } from '../src/payments';
import type { ProvisioningClients } from '../src/provisioning/provisioning-clients';
import { reconcile, type ReconcileReport } from '../src/reconcile/reconcile';

/** The reconciliation as an activity, for a schedule (see workflows/reconcile-workflow.ts). */
export function createReconcileActivities(deps: {
  ledger: Ledger;
  payments: Payments;
  provisioning: ProvisioningClients;
}) {
  return {
    reconcile: (input: { since: string }): Promise<ReconcileReport> =>
      reconcile(deps, { since: input.since }),
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
