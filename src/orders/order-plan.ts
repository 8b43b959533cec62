import { addonOf, getCatalog, InvalidInputError, priceOf, type Price } from '../catalog';
import { MAX_AMOUNT } from '../payments/payment-inputs';
import { addPeriod } from '../domain/billing-period';
import type { Purchase } from '../catalog/purchase';
import {
  subscriptionIdFor,
  type OrderPlan,
  type ProvisioningRequest,
} from '../../workflows/order-types';

/** The portal languages when checkout names none. */
const DEFAULT_PORTAL_LANGUAGES = ['en'];

/**
 * Validates and prices the order against the catalog version it is sold under and lists
 * the provisioning it implies, at checkout. The plan travels in the workflow's input:
 * what an order will do is fixed when it is placed, so neither a catalog release nor a
 * code change can alter an order in flight, and the workflow bundle carries no catalog or
 * schema code. The grants are computed by the grant step from the same catalog version
 * (an order may seat thousands of users). Throws a CatalogError naming the field for bad
 * input, including a price the payment layer would refuse.
 */
export function planOrder(purchase: Purchase, catalogVersion: number, now: number): OrderPlan {
  {
    const catalog = getCatalog(catalogVersion);
    const subscriptionId = subscriptionIdFor(purchase.orderId);
    const periodStart = new Date(now);
    const subscription = {
      id: subscriptionId,
      tenantId: purchase.tenantId,
      kind: purchase.kind,
      period: purchase.period,
      catalogVersion,
      currentPeriodStart: periodStart.toISOString(),
      currentPeriodEnd: addPeriod(periodStart, purchase.period).toISOString(),
      orderId: purchase.orderId,
    };

    if (purchase.kind === 'plan') {
      const userIds = purchase.assignTo ?? [];
      const price = payable(
        priceOf(catalog, {
          kind: 'plan',
          plan: purchase.plan,
          seats: purchase.seats,
          period: purchase.period,
        }),
        'seats',
      );
      return {
        price,
        description: `${purchase.seats} × ${purchase.plan} (${purchase.period}) for ${purchase.tenantId}`,
        seats: userIds.length > 0 ? { plan: purchase.plan, userIds } : undefined,
        subscription: {
          ...subscription,
          productKey: purchase.plan,
          seats: purchase.seats,
          settings: {},
        },
      };
    }

    const addon = addonOf(catalog, purchase.addon);
    const price = payable(
      priceOf(catalog, { kind: 'addon', addon: addon.key, period: purchase.period }),
      'addon',
    );
    return {
      price,
      description: `${addon.key} (${purchase.period}) for ${purchase.tenantId}`,
      provisioning: provisioningFor(addon.provisioning, subscriptionId, purchase),
      subscription: {
        ...subscription,
        productKey: addon.key,
        seats: null,
        settings: purchase.settings ? { ...purchase.settings } : {},
      },
    };
  }
}

/** Refuses, naming `field`, a price the payment layer would refuse after the order started. */
function payable(price: Price, field: string): Price {
  if (price.amount > MAX_AMOUNT) {
    throw new InvalidInputError(
      field,
      `prices the order at ${price.amount} (smallest currency unit), above the ${MAX_AMOUNT} a payment may take`,
    );
  }
  return price;
}

function provisioningFor(
  kind: string,
  subscriptionId: string,
  purchase: Extract<Purchase, { kind: 'addon' }>,
): ProvisioningRequest | undefined {
  switch (kind) {
    case 'calendar-sync-connection':
      if (!purchase.settings) {
        throw new InvalidInputError('settings', `required for add-on "${purchase.addon}"`);
      }
      return {
        kind,
        externalId: `calsync-${subscriptionId}`,
        tenantId: purchase.tenantId,
        setup: purchase.settings,
      };
    case 'cep-portal':
      return {
        kind,
        externalId: `cep-${subscriptionId}`,
        tenantId: purchase.tenantId,
        languages: DEFAULT_PORTAL_LANGUAGES,
      };
    default:
      return undefined;
  }
}
