import type { EmulatorState } from './emulator-state';
import { stripeErrors } from './stripe-error';

/**
 * `expand[]=latest_charge` and the like: replaces an id field with the object it names,
 * also inside a nested object (`invoice_settings.default_payment_method`). Only the
 * fields listed here expand; anything else is refused as Stripe does.
 */
const EXPANDABLE: Record<string, (state: EmulatorState, id: string) => unknown> = {
  latest_charge: (state, id) => state.charges.get(id),
  customer: (state, id) => state.customers.get(id),
  payment_method: (state, id) => state.paymentMethods.get(id),
  default_payment_method: (state, id) => state.paymentMethods.get(id),
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
  for (const path of expand) expandPath(state, out, path.split('.'), path);
  return out;
}

/** Expands the field at `path` in `target`, copying each object on the way. */
function expandPath(
  state: EmulatorState,
  target: Record<string, unknown>,
  path: string[],
  whole: string,
): void {
  const [field = '', ...rest] = path;
  const refuse = () =>
    stripeErrors.invalid(`This property cannot be expanded (${whole}).`, { param: 'expand' });
  if (!(field in target)) throw refuse();
  if (rest.length > 0) {
    const inner = target[field];
    if (inner === null || typeof inner !== 'object') throw refuse();
    const copy = { ...(inner as Record<string, unknown>) };
    target[field] = copy;
    return expandPath(state, copy, rest, whole);
  }
  const lookup = Object.hasOwn(EXPANDABLE, field) ? EXPANDABLE[field] : undefined;
  if (!lookup) throw refuse();
  const id = target[field];
  if (typeof id === 'string') target[field] = lookup(state, id) ?? id;
}
