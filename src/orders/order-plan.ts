import { ApplicationFailure } from '@temporalio/workflow';
import {
  addonOf,
  CatalogError,
  getCatalog,
  grantsForAddon,
  grantsForPlan,
  priceOf,
  type GrantSpec,
  type Price,
} from '../src/catalog';
import type { BillingPeriod } from '../src/domain/billing-period';
import { subscriptionIdFor, type OrderInput } from './order-types';

export type ProvisioningRequest =
  | {
      kind: 'calendar-sync-connection';
      externalId: string;
      tenantId: string;
      setup: { provider: string; settings: Record<string, unknown> };
    }
  | { kind: 'cep-portal'; externalId: string; tenantId: string; languages: string[] };

export interface SubscriptionRecord {
  id: string;
  tenantId: string;
  kind: 'plan' | 'addon';
  productKey: string;
  seats: number | null;
  period: BillingPeriod;
  catalogVersion: number;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  settings: Record<string, unknown>;
  orderId: string;
}

/** Everything the order will do, decided up front from the input and the catalog. */
export interface OrderPlan {
  price: Price;
  description: string;
  grants: GrantSpec[];
  seats?: { plan: string; userIds: string[] };
  provisioning?: ProvisioningRequest;
  subscription: SubscriptionRecord;
}

/** The portal languages when checkout names none. */
const DEFAULT_PORTAL_LANGUAGES = ['en'];

/**
 * Validates and prices the order against the catalog version it is sold under and lists
 * the grants and provisioning it implies. Pure: the workflow runs it directly, so the
 * plan is part of the replayed history's decisions, not an activity result.
 * `now` is the workflow's start time, so the subscription period never shifts on replay.
 */
export function planOrder({ purchase, catalogVersion }: OrderInput, now: number): OrderPlan {
  try {
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
      const price = priceOf(catalog, {
        kind: 'plan',
        plan: purchase.plan,
        seats: purchase.seats,
        period: purchase.period,
      });
      return {
        price,
        description: `${purchase.seats} × ${purchase.plan} (${purchase.period}) for ${purchase.tenantId}`,
        grants: grantsForPlan(catalog, purchase.plan, userIds, purchase.tenantId),
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
    const price = priceOf(catalog, { kind: 'addon', addon: addon.key, period: purchase.period });
    return {
      price,
      description: `${addon.key} (${purchase.period}) for ${purchase.tenantId}`,
      grants: grantsForAddon(catalog, addon.key, purchase.tenantId),
      provisioning: provisioningFor(addon.provisioning, subscriptionId, purchase),
      subscription: {
        ...subscription,
        productKey: addon.key,
        seats: null,
        settings: purchase.settings ? { ...purchase.settings } : {},
      },
    };
  } catch (error: unknown) {
    // Bad input is a business outcome: retrying the same order would fail the same way.
    if (error instanceof CatalogError) {
      throw ApplicationFailure.nonRetryable(error.message, 'ORDER.INVALID_INPUT', error.field);
    }
    throw error;
  }
}

function provisioningFor(
  kind: string,
  subscriptionId: string,
  purchase: Extract<OrderInput['purchase'], { kind: 'addon' }>,
): ProvisioningRequest | undefined {
  switch (kind) {
    case 'calendar-sync-connection':
      if (!purchase.settings) {
        throw ApplicationFailure.nonRetryable(
          `settings: required for add-on "${purchase.addon}"`,
          'ORDER.INVALID_INPUT',
          'settings',
        );
      }
      return {
        kind,
        externalId: `calsync-${subscriptionId}`,
        tenantId: purchase.tenantId,
        setup: {
          provider: purchase.settings.provider,
          settings: { ...purchase.settings.settings },
        },
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

/** Calendar arithmetic in UTC; a month from Jan 31 is the last day of February. */
export function addPeriod(start: Date, period: BillingPeriod): Date {
  const end = new Date(start.getTime());
  const day = end.getUTCDate();
  end.setUTCDate(1);
  if (period === 'month') end.setUTCMonth(end.getUTCMonth() + 1);
  else end.setUTCFullYear(end.getUTCFullYear() + 1);
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(day, lastDay));
  return end;
}
