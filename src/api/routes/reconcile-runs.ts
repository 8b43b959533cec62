import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Ledger, ReconcileRun } from '../../ledger';
import { badRequest, reconcileRunListSchema, reconcileRunsQuery } from '../../contract';
import { coversTenant, type TenantScope } from '../api-keys';
import { tenantScopeOf } from '../tenant-access';

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
export function reconcileRunRoutes(deps: { ledger: Ledger }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/ops/reconcile-runs',
      {
        config: { access: ['ops'] },
        schema: {
          summary: 'The report of each reconciliation, newest first, by pages',
          description:
            'One run per daily schedule run (or `provisioner reconcile` by hand), with every ' +
            'drift it found. A key scoped to some tenants sees only their drifts and count.',
          tags: ['ops'],
          querystring: reconcileRunsQuery,
          response: { 200: reconcileRunListSchema, 400: badRequest },
        },
      },
      async (request) => {
        const page = await deps.ledger.listReconcileRuns(request.query);
        const scope = tenantScopeOf(request);
        return { ...page, runs: page.runs.map((run) => visibleRun(run, scope)) };
      },
    );
  };
}
