import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { ORDER_KIND, ORDER_STATE, TENANT_ID } from '../domain/search-attributes';
import type { Attention, OrderList, OrderSummary } from '../contract';

export type { OrderList, OrderSummary };

export interface OrderListFilter {
  needsAttention?: boolean;
  tenantId?: string;
  /** Any of these tenants (an ops key limited to them). */
  tenantIds?: readonly string[];
  state?: string;
}

export interface OrderListPage {
  /** At most this many orders; Temporal's visibility store may return fewer. */
  pageSize?: number;
  /** The `nextPageToken` of the previous page, as this function returned it. */
  nextPageToken?: string;
}

/** Visibility SQL has no bind parameters: values go in only when they cannot break out. */
const SAFE_VALUE = /^[A-Za-z0-9_-]{1,64}$/;

export class InvalidListRequestError extends Error {
  override readonly name = 'InvalidListRequestError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function quoted(field: string, value: string): string {
  if (!SAFE_VALUE.test(value)) {
    throw new InvalidListRequestError(
      field,
      `${field}: must be 1-64 characters among A-Z a-z 0-9 _ -`,
    );
  }
  return `'${value}'`;
}

export function visibilityQuery(filter: OrderListFilter): string | undefined {
  // Renewals park for ops exactly as orders do, so ops see both in one list.
  const clauses = ["WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow')"];
  if (filter.needsAttention !== undefined) {
    clauses.push(`NeedsAttention = ${filter.needsAttention ? 'true' : 'false'}`);
  }
  if (filter.tenantId) clauses.push(`TenantId = ${quoted('tenantId', filter.tenantId)}`);
  if (filter.tenantIds) {
    // No tenant at all matches nothing: an empty IN () is not valid visibility SQL.
    if (filter.tenantIds.length === 0) return undefined;
    clauses.push(
      `TenantId IN (${filter.tenantIds.map((id) => quoted('tenantIds', id)).join(', ')})`,
    );
  }
  if (filter.state) clauses.push(stateClause(filter.state));
  return clauses.join(' AND ');
}

/**
 * Orders of revision 2 stay listed as `received` from checkout to completion, and write
 * `OrderState` only for the states nothing else tells (workflows/purchase-workflow.ts):
 * `received` on an execution that completed is `completed`. Older orders wrote
 * `completed` themselves. A workflow that did not complete (terminated, say) keeps
 * the state it last wrote.
 */
function stateClause(state: string): string {
  if (state === 'completed') {
    return "(OrderState = 'completed' OR (OrderState = 'received' AND ExecutionStatus = 'Completed'))";
  }
  if (state === 'received') return "OrderState = 'received' AND ExecutionStatus != 'Completed'";
  return `OrderState = ${quoted('state', state)}`;
}

/** The state an order is listed in, from its search attribute and its execution's status. */
export function listedState(orderState: string | undefined, status: string): string {
  const state = orderState ?? 'received';
  return state === 'received' && status === 'COMPLETED' ? 'completed' : state;
}

/**
 * Page tokens are Temporal's, prefixed with a digest of the query they continue: a token
 * passed with another filter, or made up, is refused here with a clear 400 instead of
 * reaching the visibility store (which answers garbage with an opaque error).
 */
const QUERY_DIGEST_BYTES = 8;
const queryDigest = (query: string) =>
  createHash('sha256').update(query).digest().subarray(0, QUERY_DIGEST_BYTES);

function pageToken(query: string, temporal: Uint8Array): string {
  return Buffer.concat([queryDigest(query), temporal]).toString('base64url');
}

function temporalToken(query: string, token: string): Buffer {
  const bytes = Buffer.from(token, 'base64url');
  const digest = bytes.subarray(0, QUERY_DIGEST_BYTES);
  if (bytes.length <= QUERY_DIGEST_BYTES || !digest.equals(queryDigest(query))) {
    throw new InvalidListRequestError(
      'nextPageToken',
      'nextPageToken: is not a token of this list (same filters, previous page)',
    );
  }
  return bytes.subarray(QUERY_DIGEST_BYTES);
}

/**
 * One page of orders from Temporal's visibility store alone (search attributes and the
 * memo the workflow keeps), so listing never waits on a workflow's worker. The page
 * token is Temporal's own, carried as base64url; the memo is decoded through the
 * client's payload codec.
 */
export async function listOrders(
  client: Client,
  filter: OrderListFilter,
  page: OrderListPage = {},
): Promise<OrderList> {
  const query = visibilityQuery(filter);
  if (query === undefined) return { orders: [] };
  const namespace = client.options.namespace;
  const response = await client.workflowService.listWorkflowExecutions({
    namespace,
    query,
    pageSize: page.pageSize ?? 100,
    nextPageToken: page.nextPageToken ? temporalToken(query, page.nextPageToken) : undefined,
  });
  const orders: OrderSummary[] = [];
  for (const raw of response.executions ?? []) {
    const execution = await executionInfoFromRaw(
      raw,
      client.options.loadedDataConverter,
      raw,
      namespace,
    );
    const attributes = execution.typedSearchAttributes;
    const renewal = execution.type === 'renewalWorkflow';
    orders.push({
      orderId: renewal ? execution.workflowId : execution.workflowId.replace(/^order-/, ''),
      workflowId: execution.workflowId,
      tenantId: attributes.get(TENANT_ID) ?? '',
      kind: renewal ? 'renewal' : (attributes.get(ORDER_KIND) ?? ''),
      state: listedState(attributes.get(ORDER_STATE), execution.status.name),
      attention: (execution.memo?.attention as Attention | null | undefined) ?? undefined,
      startedAt: execution.startTime.toISOString(),
    });
  }
  const token = response.nextPageToken;
  return {
    orders,
    ...(token && token.length > 0 ? { nextPageToken: pageToken(query, token) } : {}),
  };
}
