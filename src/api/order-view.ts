import type { OrderStatus, StepError } from '../../workflows/order-types';
import type { ApiPrincipal } from './api-keys';

/** An order's error as a key of another role sees it: the step and the stable code. */
type PublicStepError = Omit<StepError, 'message'>;

export type OrderView = Omit<OrderStatus, 'error' | 'attention' | 'payment'> & {
  error?: StepError | PublicStepError;
  attention?: Omit<NonNullable<OrderStatus['attention']>, 'error'> & {
    error: StepError | PublicStepError;
  };
  payment?: Omit<NonNullable<OrderStatus['payment']>, 'clientSecret'>;
};

/**
 * An order as GET /v1/orders/:id answers it to this key. The 3-D Secure client secret
 * lets whoever holds it confirm the payment in a browser, so it goes only to the
 * checkout call that placed the order, never to a later read, whatever the role. An
 * error's message is internal text (provider answers, hosts, ids): only ops see it;
 * everyone else gets the step and the stable `type`.
 */
export function orderViewFor(status: OrderStatus, caller: ApiPrincipal): OrderView {
  const { payment, error, attention, ...rest } = status;
  const showText = caller.role === 'ops';
  const errorView = (e: StepError) => (showText ? e : { step: e.step, type: e.type });
  const view: OrderView = { ...rest };
  if (payment) {
    const { paymentIntentId, captured, refunded } = payment;
    view.payment = { paymentIntentId, captured, refunded };
  }
  if (error) view.error = errorView(error);
  if (attention) view.attention = { ...attention, error: errorView(attention.error) };
  return view;
}
