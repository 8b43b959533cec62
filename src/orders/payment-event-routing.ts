import { FINAL_ORDER_STATES } from '../ledger';

/**
 * The ledger states of an order whose authorization is settled without waiting for the
 * customer: `authorizing` (the authorize step marks the order so as it charges the card,
 * and `awaiting-authentication` before checkout can hand out a client secret, which the
 * first mark never undoes: no customer can have authenticated an order still
 * `authorizing`), then every state after the authorization. An order in any other state
 * (`received`, as orders that workers of earlier releases authorize stay, and as an order
 * is until its mark lands; `awaiting-authentication`; one the ledger does not have) is
 * woken.
 */
const AUTHORIZATION_SETTLED: readonly string[] = ['authorizing', 'granting', ...FINAL_ORDER_STATES];

/**
 * Whether a PaymentIntent event must wake the order's workflow. The amount becoming
 * capturable matters only to an order waiting for 3-D Secure; for every other order its
 * authorize step already read it, and waking it would cost a signal and a workflow task
 * for nothing. A failed or cancelled intent always wakes the order, so the order's
 * ledger state (`readLedgerState`) is read only for the first.
 */
export async function paymentEventWakesOrder(
  eventType: string,
  readLedgerState: () => Promise<string | null>,
): Promise<boolean> {
  if (eventType !== 'payment_intent.amount_capturable_updated') return true;
  const ledgerState = await readLedgerState();
  return ledgerState === null || !AUTHORIZATION_SETTLED.includes(ledgerState);
}
