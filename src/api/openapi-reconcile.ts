import { reconcileRunSchema } from '../ledger';
import { answer, error, type RouteDoc } from './openapi-routes';
import { jsonSchemaOf } from './openapi-schemas';
import { reconcileRunsQuery } from './routes/reconcile-runs';

/** The reconciliation reports' part of the OpenAPI document. */
export const RECONCILE_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/ops/reconcile-runs',
    access: ['ops'],
    operationId: 'listReconcileRuns',
    tag: 'ops',
    summary: 'The report of each reconciliation, newest first, by pages',
    description:
      'One run per daily schedule run (or `provisioner reconcile` by hand), with every drift ' +
      'it found. A key scoped to some tenants sees only their drifts and count.',
    query: [
      {
        name: 'pageSize',
        in: 'query',
        required: false,
        description: 'Runs per page, 1-500 (default 50).',
        schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      },
      {
        name: 'nextPageToken',
        in: 'query',
        required: false,
        description: 'The `nextPageToken` of the previous page.',
        schema: jsonSchemaOf(reconcileRunsQuery.shape.nextPageToken, 'input'),
      },
    ],
    responses: {
      '200': answer('One page of runs; `nextPageToken` when there are older ones.', {
        type: 'object',
        properties: {
          runs: { type: 'array', items: jsonSchemaOf(reconcileRunSchema, 'output') },
          nextPageToken: { type: 'string' },
        },
        required: ['runs'],
      }),
      '400': error('BadRequest'),
    },
  },
];
