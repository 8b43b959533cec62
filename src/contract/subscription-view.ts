import { z } from 'zod';
import { pendingChangeSchema, subscriptionSchema, type Subscription } from '../ledger';

/** A subscription as the API and CLI show it: what was bought, who holds it, what is due. */
export const subscriptionViewSchema = subscriptionSchema
  .pick({
    id: true,
    tenantId: true,
    kind: true,
    productKey: true,
    seats: true,
    period: true,
    status: true,
    catalogVersion: true,
    currentPeriodStart: true,
    currentPeriodEnd: true,
    paymentMethodId: true,
    pastDueSince: true,
    endedAt: true,
    orderId: true,
  })
  .extend({
    /** Users seated now (plans); empty for add-ons. */
    assigned: z.array(z.string()),
    /** What happens at the period end (a downgrade or a cancellation), if anything. */
    pendingChange: pendingChangeSchema.nullable(),
  });
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;

export function subscriptionView(subscription: Subscription, assigned: string[]): SubscriptionView {
  return subscriptionViewSchema.parse({ ...subscription, assigned });
}
