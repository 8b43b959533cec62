import type { Catalog } from './catalog-schema';
import { catalogV1 } from './catalog-v1';
import { UnknownCatalogVersionError } from './errors';
import { parseCatalog } from './parse-catalog';

const released: Catalog[] = [catalogV1].map((data) => parseCatalog(data));

/**
 * Every catalog version ever sold, by version. A subscription records the version it was
 * sold under and keeps resolving and pricing against it until it renews onto a newer
 * one, so released versions are never changed or removed.
 */
export const catalogVersions: Readonly<Record<number, Catalog>> = Object.freeze(
  Object.fromEntries(released.map((catalog) => [catalog.version, catalog])),
);

/** The version new purchases are sold under. */
export const CURRENT_CATALOG_VERSION = 1;

export function getCatalog(version: number = CURRENT_CATALOG_VERSION): Catalog {
  const catalog = catalogVersions[version];
  if (!catalog) throw new UnknownCatalogVersionError(version);
  return catalog;
}
