/**
 * Errors of the catalog code carry a stable `code` and the `field` of the input that was
 * wrong, so the API and the CLI can report them (4xx, exit 2) without parsing messages.
 */
export type CatalogErrorCode =
  | 'CATALOG.INVALID'
  | 'CATALOG.UNKNOWN_VERSION'
  | 'CATALOG.UNKNOWN_PLAN'
  | 'CATALOG.UNKNOWN_ADDON'
  | 'CATALOG.UNKNOWN_SYSTEM_LICENSE'
  | 'CATALOG.INVALID_INPUT';

export class CatalogError extends Error {
  override readonly name: string = 'CatalogError';

  constructor(
    readonly code: CatalogErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The catalog data itself is wrong; `issues` lists every problem, each naming its entry. */
export class InvalidCatalogError extends CatalogError {
  override readonly name = 'InvalidCatalogError';

  constructor(readonly issues: string[]) {
    super('CATALOG.INVALID', 'catalog', `invalid catalog: ${issues.join('; ')}`);
  }
}

export class UnknownCatalogVersionError extends CatalogError {
  override readonly name = 'UnknownCatalogVersionError';

  constructor(readonly version: number) {
    super('CATALOG.UNKNOWN_VERSION', 'version', `unknown catalog version ${version}`);
  }
}

export class UnknownPlanError extends CatalogError {
  override readonly name = 'UnknownPlanError';

  constructor(
    readonly plan: string,
    field = 'plan',
  ) {
    super('CATALOG.UNKNOWN_PLAN', field, `${field}: unknown plan "${plan}"`);
  }
}

export class UnknownAddonError extends CatalogError {
  override readonly name = 'UnknownAddonError';

  constructor(
    readonly addon: string,
    field = 'addon',
  ) {
    super('CATALOG.UNKNOWN_ADDON', field, `${field}: unknown add-on "${addon}"`);
  }
}

export class UnknownSystemLicenseError extends CatalogError {
  override readonly name = 'UnknownSystemLicenseError';

  constructor(
    readonly systemLicense: string,
    field = 'systemLicenses',
  ) {
    super(
      'CATALOG.UNKNOWN_SYSTEM_LICENSE',
      field,
      `${field}: unknown system license "${systemLicense}"`,
    );
  }
}

/** Input that cannot be priced or resolved (seats, periods, instants). */
export class InvalidInputError extends CatalogError {
  override readonly name = 'InvalidInputError';

  constructor(field: string, problem: string) {
    super('CATALOG.INVALID_INPUT', field, `${field}: ${problem}`);
  }
}
