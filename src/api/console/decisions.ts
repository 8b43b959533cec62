import type { FastifyRequest } from 'fastify';
import { readOrderFor } from '../order-access';
import { z } from 'zod';
import { OrderError, type OrderService } from '../../orders/order-service';
import { idParam } from '../../domain/ids';

export const orderParams = z.object({ orderId: idParam });

export interface DecisionOutcome {
  ok: boolean;
  orderId: string;
  text: string;
}

/**
 * One ops decision through the order service, as the ops API takes it. A refusal the
 * order explains (it does not need attention, it does not exist) is an outcome to show,
 * not a failure of the page.
 */
export async function decide(
  request: FastifyRequest,
  orders: OrderService,
  orderId: string,
  decision: { action: 'retry' | 'abort'; by: string; reason?: string },
): Promise<DecisionOutcome> {
  try {
    // An order of a tenant outside the key is one that does not exist.
    await readOrderFor(request, orders, orderId);
    const { value: status, settled } = await orders.decide(orderId, decision);
    const verb = decision.action === 'retry' ? 'Retry sent' : 'Abort sent';
    const where = settled ? 'is now' : 'waits for a worker; it was last';
    return { ok: true, orderId, text: `${verb}; the order ${where} ${status.state}.` };
  } catch (error: unknown) {
    if (error instanceof OrderError) {
      return { ok: false, orderId, text: `Refused: ${error.message}.` };
    }
    throw error;
  }
}
