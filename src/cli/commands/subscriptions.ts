import { Client, Connection } from '@temporalio/client';
import { parseArgs } from 'node:util';
import { idParam, subscriptionIdParam } from '../../domain/ids';
import { CatalogError } from '../../catalog';
import { loadConfig, type Config } from '../../config';
import { isLedgerError } from '../../ledger';
import { openLedgerFor } from '../../runtime/services';
import { dataConverterFor, orderPolicy } from '../../runtime/temporal';
import { temporalConnectionOptions } from '../../runtime/temporal-connection';
import { ChangeError } from '../../subscriptions/change-errors';
import { changeRequestSchema } from '../../contract/change-requests';
import {
  createSubscriptionService,
  type SubscriptionService,
} from '../../subscriptions/subscription-service';
import { UsageError, type Command } from '../command';
import type { OpsDecision } from '../../../workflows/order-types';

const USAGE = `provisioner subscriptions list TENANT
       provisioner subscriptions show TENANT SUBSCRIPTION
       provisioner subscriptions change-status TENANT SUBSCRIPTION CHANGE_ID
       provisioner subscriptions upgrade TENANT SUBSCRIPTION --change ID [--plan PLAN] [--seats N] [--period month|year] [--payment-method pm_…]
       provisioner subscriptions downgrade TENANT SUBSCRIPTION --change ID [--plan PLAN] [--seats N] [--period month|year] [--unassign USER]...
       provisioner subscriptions cancel TENANT SUBSCRIPTION --change ID [--immediately]
       provisioner subscriptions seats TENANT SUBSCRIPTION --change ID [--assign USER]... [--unassign USER]...
       provisioner subscriptions payment-method TENANT SUBSCRIPTION --change ID --payment-method pm_…
       provisioner subscriptions withdraw TENANT SUBSCRIPTION --change ID --target CHANGE_ID
       provisioner subscriptions attention [--tenant TENANT]
       provisioner subscriptions retry SUBSCRIPTION CHANGE_ID --by NAME [--reason TEXT]
       provisioner subscriptions abort SUBSCRIPTION CHANGE_ID --by NAME [--reason TEXT]`;

const OPTIONS = {
  change: { type: 'string' },
  plan: { type: 'string' },
  seats: { type: 'string' },
  period: { type: 'string' },
  'payment-method': { type: 'string' },
  unassign: { type: 'string', multiple: true },
  assign: { type: 'string', multiple: true },
  immediately: { type: 'boolean' },
  target: { type: 'string' },
  tenant: { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** What each change action asks, built from its flags; the schema checks it as the API does. */
const CHANGES: Record<string, (values: Values) => Record<string, unknown>> = {
  upgrade: (v) => ({
    kind: 'upgrade',
    plan: v.plan,
    seats: seatsOf(v.seats),
    period: v.period,
    paymentMethod: v['payment-method'],
  }),
  downgrade: (v) => ({
    kind: 'downgrade',
    plan: v.plan,
    seats: seatsOf(v.seats),
    period: v.period,
    unassign: v.unassign,
  }),
  cancel: (v) => ({ kind: 'cancel', immediately: v.immediately }),
  seats: (v) => ({ kind: 'seats', assign: v.assign, unassign: v.unassign }),
  'payment-method': (v) => ({ kind: 'payment-method', paymentMethod: v['payment-method'] }),
  withdraw: (v) => ({ kind: 'withdraw', target: v.target }),
};

/**
 * `provisioner subscriptions`: read a tenant's subscriptions and change one, through the
 * same use cases as the API (the ledger of DATABASE_URL or PGLITE_DATA_DIR, and Temporal).
 * A refused change exits 2 naming the field; a declined payment exits 1.
 */
export const subscriptionsCommand: Command = {
  summary:
    'list and show subscriptions; upgrade, downgrade, cancel, seat, or update the payment method',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    const { values, positionals } = parse(rest);
    if (action === 'list') {
      const [tenantId] = ids(positionals, ['TENANT']);
      return print(io, (s) =>
        s.listSubscriptions(tenantId).then((list) => ({ tenantId, subscriptions: list })),
      );
    }
    if (action === 'show') {
      const [tenantId, subscriptionId] = ids(positionals, ['TENANT', 'SUBSCRIPTION']);
      return print(io, (s) => s.getSubscription(tenantId, subscriptionId));
    }
    if (action === 'change-status') {
      const [tenantId, subscriptionId, changeId] = ids(positionals, [
        'TENANT',
        'SUBSCRIPTION',
        'CHANGE_ID',
      ]);
      return print(io, (s) => s.getChange(tenantId, subscriptionId, changeId));
    }
    if (action === 'attention') {
      ids(positionals, []);
      const tenantId =
        values.tenant === undefined ? undefined : ids([values.tenant], ['TENANT'])[0];
      return print(io, (s) => s.listChangesNeedingAttention({ tenantId }));
    }
    if (action === 'retry' || action === 'abort') {
      const [subscriptionId, changeId] = ids(positionals, ['SUBSCRIPTION', 'CHANGE_ID']);
      if (!values.by) throw new UsageError('--by: say who decides');
      const decision: OpsDecision = { action, by: values.by, reason: values.reason };
      return print(io, (s) => s.decide(subscriptionId, changeId, decision));
    }
    const build = action ? CHANGES[action] : undefined;
    if (!build) {
      throw new UsageError(
        action
          ? `unknown action "${action}"`
          : `missing action: list, show, change-status, ${Object.keys(CHANGES).join(', ')}, attention, retry, abort`,
      );
    }
    const [tenantId, subscriptionId] = ids(positionals, ['TENANT', 'SUBSCRIPTION']);
    const parsed = changeRequestSchema.safeParse({ changeId: values.change, ...build(values) });
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${flagOf(i.path.join('.'))}: ${i.message}`);
      throw new UsageError(`invalid change: ${fields.join('; ')}`);
    }
    let state = '';
    const code = await print(io, async (service) => {
      const status = await service.requestChange(tenantId, subscriptionId, parsed.data);
      state = status.state;
      return status;
    });
    return code === 0 && state === 'declined' ? 1 : code;
  },
};

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function seatsOf(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** The flag a schema path came from: `paymentMethod` is `--payment-method`, `changeId` `--change`. */
function flagOf(path: string): string {
  if (path === 'changeId') return '--change';
  if (path === '' || path === 'kind') return 'change';
  return `--${path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/\..*$/, '')}`;
}

function ids(positionals: string[], names: string[]): string[] {
  if (positionals.length !== names.length) {
    throw new UsageError(`expected ${names.join(' ')}, got ${positionals.length} argument(s)`);
  }
  return positionals.map((value, index) => {
    const name = names[index];
    const schema = name === 'SUBSCRIPTION' ? subscriptionIdParam : idParam;
    const result = schema.safeParse(value);
    if (!result.success) throw new UsageError(`${name}: ${result.error.issues[0].message}`);
    return result.data;
  });
}

/** Runs one use case and prints its answer; a refusal is a usage error naming its field. */
async function print(
  io: { out: (text: string) => void },
  use: (service: SubscriptionService) => Promise<unknown>,
): Promise<number> {
  try {
    io.out(`${JSON.stringify(await withSubscriptionService(use), null, 2)}\n`);
    return 0;
  } catch (error: unknown) {
    if (error instanceof ChangeError || error instanceof CatalogError) {
      throw new UsageError(`${error.field}: ${error.message}`);
    }
    if (isLedgerError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The subscription use cases for one invocation. Temporal is connected lazily: reading
 * a subscription needs only the ledger, so `list` and `show` work without a server.
 */
async function withSubscriptionService<T>(
  use: (service: SubscriptionService) => Promise<T>,
): Promise<T> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const ledger = await openLedgerFor(config);
  const connection = Connection.lazy(temporalConnectionOptions(config));
  try {
    return await use(
      createSubscriptionService({
        client: new Client({
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          dataConverter: dataConverterFor(config),
        }),
        ledger,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        policy: orderPolicy(config),
      }),
    );
  } finally {
    await connection.close();
    await ledger.close();
  }
}
