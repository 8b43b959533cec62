/**
 * The license catalog and pure resolution and pricing over it. No I/O, no clock, no
 * randomness: workflows, the API and the CLI all import this module.
 */
export * from './catalog-schema';
export * from './errors';
export { parseCatalog } from './parse-catalog';
export { catalogVersions, CURRENT_CATALOG_VERSION, getCatalog } from './versions';
export { addonOf, planFeatures, planOf } from './catalog-index';
export {
  requiredSystemLicenses,
  tenantEntitlements,
  userFeatures,
  type TenantEntitlements,
  type TenantEntitlementsInput,
} from './resolve';
export { compareGrants, grantsForAddon, grantsForPlan, impliedGrants } from './grants';
export { priceOf, type Price, type PriceRequest } from './pricing';
export { prorate, type Proration, type ProrationRequest, type SeatHolding } from './proration';
export { emptyHoldings, holdingsSchema, type Holdings } from '../domain/holdings';
export {
  grantSpecSchema,
  grantSubjectSchema,
  type GrantKind,
  type GrantSpec,
  type GrantSubject,
} from '../domain/grant-spec';
