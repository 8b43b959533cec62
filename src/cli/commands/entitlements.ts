import { parseArgs } from 'node:util';
import { idParam } from '../../domain/ids';
import {
  isLedgerError,
  type FeatureEntitlement,
  type TenantEntitlements,
  type UserEntitlements,
} from '../../ledger';
import { openLedgerFromEnv } from '../ledger-from-env';
import { UsageError, type Command, type CommandIo } from '../command';

const USAGE = 'provisioner entitlements TENANT [USER] [--json]';

interface Arguments {
  tenantId: string;
  userId?: string;
  json: boolean;
}

/**
 * `provisioner entitlements`: which features a tenant or one of its users holds, and
 * why, read from the ledger of DATABASE_URL or the local PGlite data directory.
 */
export const entitlementsCommand: Command = {
  summary: "show a tenant's or a user's features, each with the subscriptions that grant it",
  usage: USAGE,
  async run(args, io) {
    const { tenantId, userId, json } = parseArguments(args);
    const ledger = await openLedgerFromEnv();
    try {
      const result = userId
        ? await ledger.userEntitlements(tenantId, userId)
        : await ledger.tenantEntitlements(tenantId);
      if (json) io.out(`${JSON.stringify(result, null, 2)}\n`);
      else io.out('userId' in result ? describeUser(result) : describeTenant(result));
      return 0;
    } catch (error: unknown) {
      return reportLedgerError(error, io);
    } finally {
      await ledger.close();
    }
  },
};

function parseArguments(args: string[]): Arguments {
  let parsed: { values: { json?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [tenantId, userId, ...extra] = parsed.positionals;
  if (!tenantId) throw new UsageError('missing TENANT');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return {
    tenantId: validId('TENANT', tenantId),
    userId: userId === undefined ? undefined : validId('USER', userId),
    json: parsed.values.json ?? false,
  };
}

function validId(name: string, value: string): string {
  const result = idParam.safeParse(value);
  if (!result.success) throw new UsageError(`${name}: ${result.error.issues[0].message}`);
  return result.data;
}

function reportLedgerError(error: unknown, io: CommandIo): number {
  if (!isLedgerError(error)) throw error;
  io.err(`provisioner entitlements: ${error.message}\n`);
  return 1;
}

function describeFeatures(features: FeatureEntitlement[], indent: string): string {
  if (features.length === 0) return `${indent}(none)\n`;
  const width = Math.max(...features.map((f) => f.feature.length));
  return features
    .map((f) => {
      const sources = f.sources
        .map((s) => `${s.productKey} (subscription ${s.subscriptionId}, order ${s.orderId})`)
        .join('; ');
      return `${indent}${f.feature.padEnd(width)}  ${sources}\n`;
    })
    .join('');
}

function describeUser(user: UserEntitlements): string {
  return [
    `user ${user.userId} of tenant ${user.tenantId}\n`,
    `plans: ${user.plans.length > 0 ? user.plans.join(', ') : '(none)'}\n`,
    'features:\n',
    describeFeatures(user.features, '  '),
    'tenant flags:\n',
    describeFeatures(user.tenantFlags, '  '),
  ].join('');
}

function describeTenant(tenant: TenantEntitlements): string {
  const users = tenant.users.map(
    (user) => `  ${user.userId}\n${describeFeatures(user.features, '    ')}`,
  );
  return [
    `tenant ${tenant.tenantId}\n`,
    'tenant flags:\n',
    describeFeatures(tenant.tenantFlags, '  '),
    `users (${tenant.users.length}):\n`,
    ...users,
  ].join('');
}
