import type { EmulatorState } from './emulator-state';
import { stripeErrors } from './stripe-error';

/**
 * `expand[]=latest_charge` and the like: replaces an id field with the object it names.
 * Only the top-level fields listed here expand; anything else is refused as Stripe does.
 */
const EXPANDABLE: Record<string, (state: EmulatorState, id: string) => unknown> = {
  latest_charge: (state, id) => state.charges.get(id),
  customer: (state, id) => state.customers.get(id),
  payment_method: (state, id) => state.paymentMethods.get(id),
  charge: (state, id) => state.charges.get(id),
  payment_intent: (state, id) => state.paymentIntents.get(id),
};

export function expandObject(
  state: EmulatorState,
  object: object,
  expand: readonly string[] | undefined,
): object {
  if (!expand || expand.length === 0) return object;
  const out: Record<string, unknown> = { ...object };
  for (const field of expand) {
    const lookup = Object.hasOwn(EXPANDABLE, field) ? EXPANDABLE[field] : undefined;
    if (!lookup || !(field in out)) {
      throw stripeErrors.invalid(`This property cannot be expanded (${field}).`, {
        param: 'expand',
      });
    }
    const id = out[field];
    if (typeof id === 'string') out[field] = lookup(state, id) ?? id;
  }
  return out;
}
