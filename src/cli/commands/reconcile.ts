import { randomBytes } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../../config';
import type { Ledger, ReconcileRun } from '../../ledger';
import { DRIFT_KINDS, type Drift, type ReconcileDeps } from '../../reconcile/reconcile';
import { reconcileAndRecord } from '../../reconcile/record-run';
import { openServices } from '../../runtime/services';
import { UsageError, type Command, type CommandIo } from '../command';
import { openLedgerFromEnv } from '../ledger-from-env';

const USAGE = `provisioner reconcile [--since ISO-8601 | 24h | 30d] [--json]
       provisioner reconcile runs [--limit N] [--next TOKEN] [--json]
       provisioner reconcile show ID [--json]`;
const DEFAULT_WINDOW = '30d';

/**
 * `provisioner reconcile`: lists every drift between Stripe, the ledger and the
 * provisioned resources for the orders changed since `--since` (default 30 days), keeps
 * the report in the ledger beside the daily schedule's, and exits 1 when there is any
 * drift, so a scheduler or CI job notices. `runs` and `show` read the kept reports.
 */
export const reconcileCommand: Command = {
  summary: 'compare Stripe, the ledger and the provisioned resources; exit 1 on drift',
  usage: USAGE,
  async run(args, io) {
    if (args[0] === 'runs' || args[0] === 'show') {
      const request = parseRunsArguments(args);
      const ledger = await openLedgerFromEnv();
      try {
        return await showRuns(ledger, request, io);
      } finally {
        await ledger.close();
      }
    }
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
  // A run by hand is kept as the schedule's are, under an id of its own.
  const runId = `command-${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
  const { report, run } = await reconcileAndRecord(deps, {
    since: options.since,
    runId,
    trigger: 'command',
    now: options.now,
  });
  io.out(
    options.json
      ? `${JSON.stringify({ ...report, runId, id: run.id }, null, 2)}\n`
      : `${describeDrifts(`${report.checkedOrders} orders changed since ${report.since} compared`, report.drifts)}(kept as run ${run.id}: provisioner reconcile show ${run.id})\n`,
  );
  return report.drifts.length > 0 ? 1 : 0;
}

export type RunsRequest =
  | { action: 'runs'; limit: number; next?: string; json: boolean }
  | { action: 'show'; id: string; json: boolean };

export function parseRunsArguments(args: string[]): RunsRequest {
  const [action, ...rest] = args;
  const { values, positionals } = parseOrUsage(rest, {
    json: { type: 'boolean' },
    ...(action === 'runs' && { limit: { type: 'string' }, next: { type: 'string' } }),
  });
  const json = values.json === true;
  if (action === 'show') {
    if (positionals.length !== 1) throw new UsageError('ID: show needs one run id');
    return { action, id: positionals[0], json };
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const text = typeof values.limit === 'string' ? values.limit : '20';
  const limit = Number(text);
  if (!/^[0-9]+$/.test(text) || limit < 1 || limit > 500) {
    throw new UsageError(`--limit: "${text}" is not a whole number from 1 to 500`);
  }
  const next = typeof values.next === 'string' ? values.next : undefined;
  return { action: 'runs', limit, next, json };
}

/** Lists the kept reports, newest first, or shows one with its drifts. */
export async function showRuns(
  ledger: Ledger,
  request: RunsRequest,
  io: CommandIo,
): Promise<number> {
  if (request.action === 'show') {
    const run = await ledger.getReconcileRun(request.id);
    if (!run) {
      io.err(`no reconcile run ${request.id}\n`);
      return 1;
    }
    io.out(request.json ? `${JSON.stringify(run, null, 2)}\n` : describeRun(run));
    return 0;
  }
  const page = await ledger.listReconcileRuns({
    pageSize: request.limit,
    nextPageToken: request.next,
  });
  if (request.json) {
    io.out(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  const lines = page.runs.map(
    (run) =>
      `${run.id.padStart(6)}  ${run.startedAt}  ${run.trigger.padEnd(8)}  ${String(run.checkedOrders).padStart(6)} orders  ${run.driftCount} drift${run.driftCount === 1 ? '' : 's'}  ${run.runId}`,
  );
  if (lines.length === 0) lines.push('no reconcile runs kept yet');
  if (page.nextPageToken) lines.push(`more: --next ${page.nextPageToken}`);
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

function describeRun(run: ReconcileRun): string {
  const heading =
    `run ${run.id} (${run.runId}, ${run.trigger}) from ${run.startedAt} to ${run.finishedAt}: ` +
    `${run.checkedOrders} orders changed since ${run.since} compared`;
  return describeDrifts(heading, run.drifts as unknown as Drift[]);
}

export function parseArguments(args: string[], now: number): ReconcileArguments {
  const { values, positionals } = parseOrUsage(args, {
    since: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const since = typeof values.since === 'string' ? values.since : DEFAULT_WINDOW;
  return { since: sinceOf(since, now), json: values.json === true };
}

/** node's parseArgs, its complaints as usage errors (exit 2) naming the argument. */
function parseOrUsage(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: true, options });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
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

function describeDrifts(heading: string, all: Drift[]): string {
  const lines = [heading];
  if (all.length === 0) return `${heading}: no drift\n`;
  for (const kind of DRIFT_KINDS) {
    const drifts = all.filter((d) => d.kind === kind);
    if (drifts.length === 0) continue;
    lines.push('', `${kind} (${drifts.length}):`);
    for (const drift of drifts) {
      const where = drift.resource ?? drift.paymentIntentId ?? drift.subscriptionId;
      lines.push(`  order ${drift.orderId} (tenant ${drift.tenantId}, ${where}): ${drift.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
