import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CURRENT_CATALOG_VERSION } from '../../../src/catalog';
import { purchaseSchema } from '../../../src/catalog/purchase';
import { planOrder } from '../../../src/orders/order-plan';
import { orderStatusQuery } from '../../../workflows/messages';
import {
  ORDER_REVISION,
  type OrderInput,
  type OrderPolicy,
  type OrderStatus,
} from '../../../workflows/order-types';
import type { purchaseWorkflow } from '../../../workflows/purchase-workflow';

/**
 * What checkout starts an order with: `fields` over a one-seat-card default, validated
 * and planned as checkout does, with fresh order and tenant ids. `now` is the clock the
 * period starts on (a time-skipping server's, when the test moves it).
 */
export function orderInput(
  fields: Record<string, unknown>,
  policy: OrderPolicy,
  now = Date.now(),
): OrderInput {
  const purchase = purchaseSchema.parse({
    orderId: `order-${randomUUID().slice(0, 8)}`,
    tenantId: `tenant-${randomUUID().slice(0, 8)}`,
    customer: { email: 'billing@example.com' },
    period: 'month',
    paymentMethod: 'pm_card_visa',
    ...fields,
  });
  return {
    purchase,
    catalogVersion: CURRENT_CATALOG_VERSION,
    plan: planOrder(purchase, CURRENT_CATALOG_VERSION, now),
    policy,
    revision: ORDER_REVISION,
  };
}

/** The values the order wrote to its `OrderState` search attribute, in order. */
export async function writtenOrderStates(handle: WorkflowHandle): Promise<string[]> {
  const { EventType } = temporal.api.enums.v1;
  return ((await handle.fetchHistory()).events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    .map(
      (event) =>
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields
          ?.OrderState,
    )
    .filter((payload) => payload !== undefined && payload !== null)
    .map((payload) => defaultPayloadConverter.fromPayload<string>(payload));
}

/**
 * Queries the order until `done` holds. Real time passes meanwhile: a time-skipping
 * server skips time only while a client awaits a workflow's result.
 */
export async function untilOrder(
  handle: WorkflowHandle<typeof purchaseWorkflow>,
  done: (status: OrderStatus) => boolean,
): Promise<OrderStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await handle.query(orderStatusQuery);
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
