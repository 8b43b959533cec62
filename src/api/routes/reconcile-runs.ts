import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Ledger, ReconcileRun } from '../../ledger';
import { coversTenant, type TenantScope } from '../api-keys';
import { tenantScopeOf } from '../tenant-access';
import { parseRequest } from '../validation';

export const reconcileRunsQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  nextPageToken: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'must be the nextPageToken of a previous page')
    .optional(),
});

/**
 * A run as a key sees it: a run compares every tenant, so a key scoped to some tenants
 * sees only their drifts (and their count), never another tenant's orders.
 */
function visibleRun(run: ReconcileRun, scope: TenantScope): ReconcileRun {
  if (scope === '*') return run;
  const drifts = run.drifts.filter((drift) => coversTenant(scope, drift.tenantId));
  return { ...run, drifts, driftCount: drifts.length };
}

/** Ops: the kept report of each reconciliation (the daily schedule's and by hand), newest first. */
export function reconcileRunRoutes(deps: { ledger: Ledger }): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/ops/reconcile-runs', { config: { access: ['ops'] } }, async (request) => {
      const query = parseRequest(reconcileRunsQuery, request.query);
      const page = await deps.ledger.listReconcileRuns(query);
      const scope = tenantScopeOf(request);
      return { ...page, runs: page.runs.map((run) => visibleRun(run, scope)) };
    });
  };
}
