import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  CatalogError,
  getCatalog,
  tenantEntitlements,
  userFeatures,
  type Catalog,
} from '../../catalog';
import { UsageError, type Command, type CommandIo } from '../command';

const USAGE = `provisioner catalog show [--version N] [--json]
       provisioner catalog resolve --plan KEY [--plan KEY ...] [--addon KEY ...] [--version N] [--json]`;

const optionsSchema = z.object({
  version: z.coerce
    .number({ error: 'must be a catalog version number' })
    .int('must be a whole number')
    .positive('must be positive')
    .optional(),
  json: z.boolean().default(false),
  plan: z.array(z.string()).default([]),
  addon: z.array(z.string()).default([]),
});
type Options = z.infer<typeof optionsSchema>;

/** `provisioner catalog`: read the catalog and resolve plans without any service running. */
export const catalogCommand: Command = {
  summary: 'show the license catalog, or resolve plans and add-ons to the licenses they imply',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    const options = parseOptions(rest);
    const catalog = catalogFor(options.version);
    if (action === 'show') {
      if (options.plan.length > 0 || options.addon.length > 0) {
        throw new UsageError('--plan and --addon belong to "catalog resolve"');
      }
      io.out(options.json ? `${JSON.stringify(catalog, null, 2)}\n` : describeCatalog(catalog));
      return 0;
    }
    if (action === 'resolve') return resolve(catalog, options, io);
    throw new UsageError(action ? `unknown action "${action}"` : 'missing action: show or resolve');
  },
};

function parseOptions(args: string[]): Options {
  let values: unknown;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        version: { type: 'string' },
        json: { type: 'boolean' },
        plan: { type: 'string', multiple: true },
        addon: { type: 'string', multiple: true },
      },
    }));
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `--${String(issue?.path[0] ?? 'options')}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

function catalogFor(version: number | undefined): Catalog {
  try {
    return getCatalog(version);
  } catch (error: unknown) {
    if (error instanceof CatalogError) throw new UsageError(`--version: ${error.message}`);
    throw error;
  }
}

function resolve(catalog: Catalog, options: Options, io: CommandIo): number {
  if (options.plan.length === 0 && options.addon.length === 0) {
    throw new UsageError('give at least one --plan or --addon');
  }
  let result: { features: string[]; systemLicenses: string[]; addonFeatures: string[] };
  try {
    const tenant = tenantEntitlements(catalog, {
      plans: options.plan,
      addons: options.addon,
      systemLicenses: [],
    });
    result = { features: userFeatures(catalog, options.plan), ...tenant };
  } catch (error: unknown) {
    // The catalog names the field as `plans` / `addons`; the user typed the flag.
    if (error instanceof CatalogError) {
      throw new UsageError(
        error.message.replace(/^plans:/, '--plan:').replace(/^addons:/, '--addon:'),
      );
    }
    throw error;
  }
  if (options.json) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.out(
      [
        `user features (${result.features.length}): ${list(result.features)}`,
        `tenant system licenses (${result.systemLicenses.length}): ${list(result.systemLicenses)}`,
        `tenant add-on features (${result.addonFeatures.length}): ${list(result.addonFeatures)}`,
      ].join('\n') + '\n',
    );
  }
  return 0;
}

function describeCatalog(catalog: Catalog): string {
  const { prices } = catalog;
  const money = moneyFormat(prices.currency);
  const priceCells = (price: { month: number; year: number } | undefined) =>
    price ? [money(price.month), money(price.year)] : ['-', '-'];
  const sections = [
    `Catalog ${catalog.id} (version ${catalog.version}), prices in ${prices.currency}` +
      (prices.sample ? ` (sample prices${prices.note ? `: ${prices.note}` : ''})` : ''),
    `Base features (every plan)\n  ${list(catalog.baseFeatures)}`,
    'Plans (prices per seat)\n' +
      table([
        ['plan', 'solution', 'tier', 'extends', 'month', 'year', 'features'],
        ...catalog.plans.map((p) => [
          p.key,
          p.solution,
          p.tier,
          p.extends ?? '-',
          ...priceCells(prices.plans[p.key]),
          (p.extends ? '+ ' : '') + list(p.features),
        ]),
      ]),
    'Add-ons (prices per tenant)\n' +
      table([
        ['add-on', 'provisioning', 'settings', 'month', 'year', 'features'],
        ...catalog.addons.map((a) => [
          a.key,
          a.provisioning,
          a.settings,
          ...priceCells(prices.addons[a.key]),
          list(a.features),
        ]),
      ]),
    'System licenses (tenant-wide)\n' +
      table([
        ['system license', 'name', 'description'],
        ...catalog.systemLicenses.map((s) => [s.key, s.name, s.description]),
      ]),
    'Rules (feature requires system license, and why)\n' +
      table([
        ['feature', 'requires', 'assumption'],
        ...catalog.rules.map((r) => [r.feature, r.requires, r.assumption]),
      ]),
  ];
  return `${sections.join('\n\n')}\n`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((r) => (r[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths?.[column] ?? 0),
        )
        .join('  '),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}

function moneyFormat(currency: string): (minorUnits: number) => string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return (minorUnits) => format.format(minorUnits / 10 ** digits);
}

function list(keys: readonly string[]): string {
  return keys.length > 0 ? keys.join(', ') : '-';
}
