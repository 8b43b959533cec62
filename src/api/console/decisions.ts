import { z } from 'zod';
import { OrderError, type OrderService } from '../../orders/order-service';
import { idParam } from '../params';

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
  orders: OrderService,
  orderId: string,
  decision: { action: 'retry' | 'abort'; by: string; reason?: string },
): Promise<DecisionOutcome> {
  try {
    const status = await orders.decide(orderId, decision);
    const verb = decision.action === 'retry' ? 'Retry sent' : 'Abort sent';
    return { ok: true, orderId, text: `${verb}; the order is now ${status.state}.` };
  } catch (error: unknown) {
    if (error instanceof OrderError) {
      return { ok: false, orderId, text: `Refused: ${error.message}.` };
    }
    throw error;
  }
}
