import { addonOf, getCatalog, grantsForAddon, grantsForPlan, priceOf } from '../catalog';
import type { GrantSpec } from '../domain/grant-spec';
import type { Subscription } from '../ledger';
import { addPeriod } from '../domain/billing-period';
import type { ProvisionedResource, RenewalPlan } from '../../workflows/renewal-types';

/**
 * What the renewal of `sub` from `periodStart` will do, decided from the ledger row and
 * the catalog: nothing (renewed already, ended, never paid), end it (a cancellation at
 * period end), or charge the next period, sold under `catalogVersion` (the current one)
 * at that version's price, after a pending downgrade. Pure: the activity reads, this decides.
 */
export function planRenewal(
  sub: Subscription | null,
  periodStart: string,
  catalogVersion: number,
): RenewalPlan {
  if (!sub) return { action: 'none', reason: 'the subscription is unknown' };
  if (sub.status === 'ended') return { action: 'none', reason: 'the subscription has ended' };
  if (sub.status === 'pending' || sub.status === 'cancelled') {
    return { action: 'none', reason: `the subscription is ${sub.status}` };
  }
  if (sub.currentPeriodStart !== new Date(periodStart).toISOString()) {
    return {
      action: 'none',
      reason: `the subscription is in the period from ${sub.currentPeriodStart}: renewed already`,
    };
  }
  const resources = resourcesOf(sub);
  const change = sub.pendingChange;
  if (change?.kind === 'cancel') {
    return {
      action: 'cancel',
      tenantId: sub.tenantId,
      periodEnd: sub.currentPeriodEnd,
      resources,
    };
  }

  const productKey = change?.productKey ?? sub.productKey;
  const seats = change?.seats ?? sub.seats;
  const period = change?.period ?? sub.period;
  const catalog = getCatalog(catalogVersion);
  const price =
    sub.kind === 'plan'
      ? priceOf(catalog, { kind: 'plan', plan: productKey, seats: seats ?? 1, period })
      : priceOf(catalog, { kind: 'addon', addon: productKey, period });
  const start = new Date(sub.currentPeriodEnd);
  return {
    action: 'renew',
    tenantId: sub.tenantId,
    periodEnd: sub.currentPeriodEnd,
    status: sub.status,
    catalogVersion: sub.catalogVersion,
    resources,
    downgrade: change ? { changeId: change.changeId } : undefined,
    next: {
      productKey,
      seats: sub.kind === 'plan' ? seats : null,
      period,
      catalogVersion,
      periodStart: start.toISOString(),
      periodEnd: addPeriod(start, period).toISOString(),
      amount: price.amount,
      currency: price.currency,
      description: `Renewal of ${sub.kind === 'plan' ? `${seats} × ` : ''}${productKey} (${period}) for ${sub.tenantId}, from ${start.toISOString().slice(0, 10)}`,
    },
  };
}

/** The grants a subscription holds under a catalog version: re-resolved on renewal. */
export function grantsUnder(catalogVersion: number, sub: Pick<Subscription, 'kind' | 'tenantId'>) {
  const catalog = getCatalog(catalogVersion);
  return (productKey: string, seatedUserIds: string[]): GrantSpec[] =>
    sub.kind === 'plan'
      ? grantsForPlan(catalog, productKey, seatedUserIds, sub.tenantId)
      : grantsForAddon(catalog, productKey, sub.tenantId);
}

/** The resources an add-on provisioned, by the external ids checkout derived. */
function resourcesOf(sub: Subscription): ProvisionedResource[] {
  if (sub.kind !== 'addon') return [];
  const kind = addonOf(getCatalog(sub.catalogVersion), sub.productKey).provisioning;
  if (kind === 'calendar-sync-connection') return [{ kind, externalId: `calsync-${sub.id}` }];
  if (kind === 'cep-portal') return [{ kind, externalId: `cep-${sub.id}` }];
  return [];
}
