import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import {
  DRIFT_KINDS,
  reconcile,
  type ReconcileDeps,
  type ReconcileReport,
} from '../../reconcile/reconcile';
import { openServices } from '../../runtime/services';
import { UsageError, type Command, type CommandIo } from '../command';

const USAGE = 'provisioner reconcile [--since ISO-8601 | 24h | 30d] [--json]';
const DEFAULT_WINDOW = '30d';

/**
 * `provisioner reconcile`: lists every drift between Stripe, the ledger and the
 * provisioned resources for the orders changed since `--since` (default 30 days), and
 * exits 1 when there is any, so a scheduler or CI job notices.
 */
export const reconcileCommand: Command = {
  summary: 'compare Stripe, the ledger and the provisioned resources; exit 1 on drift',
  usage: USAGE,
  async run(args, io) {
    const options = parseArguments(args, Date.now());
    const services = await openServices(loadConfig());
    try {
      return await runReconcile(services, options, io);
    } finally {
      await services.close();
    }
  },
};

export interface ReconcileArguments {
  since: string;
  json: boolean;
}

/** The command's work over given services (tests pass the local stack's). */
export async function runReconcile(
  deps: ReconcileDeps,
  options: ReconcileArguments & { now?: number },
  io: CommandIo,
): Promise<number> {
  const report = await reconcile(deps, { since: options.since, now: options.now });
  io.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  return report.drifts.length > 0 ? 1 : 0;
}

export function parseArguments(args: string[], now: number): ReconcileArguments {
  let values: { since?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: { since: { type: 'string' }, json: { type: 'boolean' } },
    }));
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { since: sinceOf(values.since ?? DEFAULT_WINDOW, now), json: values.json ?? false };
}

/** An ISO-8601 instant, or a window back from now: `24h`, `30d`. */
function sinceOf(value: string, now: number): string {
  const window = /^(\d{1,5})([hd])$/.exec(value);
  if (window) {
    const hours = Number(window[1]) * (window[2] === 'd' ? 24 : 1);
    return new Date(now - hours * 60 * 60 * 1000).toISOString();
  }
  const instant = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(instant)) {
    throw new UsageError(
      `--since: "${value}" is neither an ISO-8601 time nor a window like 24h or 30d`,
    );
  }
  return new Date(instant).toISOString();
}

function describe(report: ReconcileReport): string {
  const lines = [`${report.checkedOrders} orders changed since ${report.since} compared`];
  if (report.drifts.length === 0) return `${lines[0]}: no drift\n`;
  for (const kind of DRIFT_KINDS) {
    const drifts = report.drifts.filter((d) => d.kind === kind);
    if (drifts.length === 0) continue;
    lines.push('', `${kind} (${drifts.length}):`);
    for (const drift of drifts) {
      const where = drift.resource ?? drift.paymentIntentId ?? drift.subscriptionId;
      lines.push(`  order ${drift.orderId} (tenant ${drift.tenantId}, ${where}): ${drift.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
