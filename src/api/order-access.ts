import type { FastifyRequest } from 'fastify';
import { OrderError, type OrderService } from '../orders/order-service';
import type { OrderStatus } from '../../workflows/order-types';
import { assertTenantAccess } from './tenant-access';

/** The answer for an order that does not exist, and for one of a tenant outside the key. */
export function orderNotFound(orderId: string): OrderError {
  return new OrderError('ORDER.NOT_FOUND', `order ${orderId} does not exist`);
}

/** Reads an order the caller's key may see; any other order is "not found". */
export async function readOrderFor(
  request: FastifyRequest,
  orders: OrderService,
  orderId: string,
): Promise<OrderStatus> {
  const status = await orders.getOrder(orderId);
  assertTenantAccess(request, status.tenantId, () => orderNotFound(orderId));
  return status;
}
