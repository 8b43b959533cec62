import { z } from 'zod';
import { parseInput } from './errors';
import { instantInput, isoTimestamp, ledgerId, rowId } from './ids';
import type { SqlExecutor } from './sql-db';

/**
 * One reconciliation's report as the ledger keeps it. The ledger does not know the kinds
 * of drift (src/reconcile does): each drift is an object with at least its kind, its
 * order and its tenant, kept as the report gave it.
 */
export const storedDriftSchema = z.looseObject({
  kind: z.string().min(1),
  orderId: z.string(),
  tenantId: z.string(),
});
export type StoredDrift = z.infer<typeof storedDriftSchema>;

export const RECONCILE_TRIGGERS = ['schedule', 'command'] as const;

export const newReconcileRunSchema = z
  .object({
    /** The run's business id: the schedule's workflow id, or the command's own. */
    runId: ledgerId,
    trigger: z.enum(RECONCILE_TRIGGERS),
    since: instantInput,
    startedAt: instantInput,
    finishedAt: instantInput,
    checkedOrders: z.number().int().min(0),
    drifts: z.array(storedDriftSchema),
  })
  .refine((run) => run.finishedAt >= run.startedAt, {
    message: 'must not be before startedAt',
    path: ['finishedAt'],
  });
export type NewReconcileRun = z.input<typeof newReconcileRunSchema>;

export const reconcileRunSchema = z.object({
  id: rowId,
  runId: z.string(),
  trigger: z.enum(RECONCILE_TRIGGERS),
  since: isoTimestamp,
  startedAt: isoTimestamp,
  finishedAt: isoTimestamp,
  checkedOrders: z.number().int(),
  driftCount: z.number().int(),
  drifts: z.array(storedDriftSchema),
});
export type ReconcileRun = z.infer<typeof reconcileRunSchema>;

export const reconcileRunPageSchema = z.object({
  pageSize: z.number().int().min(1).max(500).default(50),
  /** The `nextPageToken` of the previous page: the last id it held. */
  nextPageToken: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'must be the nextPageToken of a previous page')
    .optional(),
});
export type ReconcileRunPageOptions = z.input<typeof reconcileRunPageSchema>;

export interface ReconcileRunPage {
  runs: ReconcileRun[];
  nextPageToken?: string;
}

const COLUMNS = `id, run_id AS "runId", trigger, since, started_at AS "startedAt",
  finished_at AS "finishedAt", checked_orders AS "checkedOrders",
  drift_count AS "driftCount", drifts`;

/**
 * Records a run's report. The same run id again (an activity retried after its write)
 * keeps one row, holding the latest report.
 */
export async function recordReconcileRun(
  db: SqlExecutor,
  input: NewReconcileRun,
): Promise<ReconcileRun> {
  const run = parseInput(newReconcileRunSchema, input);
  const [row] = await db.query(
    `INSERT INTO reconcile_runs
       (run_id, trigger, since, started_at, finished_at, checked_orders, drift_count, drifts)
     VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5::timestamptz, $6, $7, $8::jsonb)
     ON CONFLICT (run_id) DO UPDATE SET
       since = EXCLUDED.since, started_at = EXCLUDED.started_at,
       finished_at = EXCLUDED.finished_at, checked_orders = EXCLUDED.checked_orders,
       drift_count = EXCLUDED.drift_count, drifts = EXCLUDED.drifts
     RETURNING ${COLUMNS}`,
    [
      run.runId,
      run.trigger,
      run.since,
      run.startedAt,
      run.finishedAt,
      run.checkedOrders,
      run.drifts.length,
      JSON.stringify(run.drifts),
    ],
  );
  return reconcileRunSchema.parse(row);
}

/** Runs newest first, by pages (keyset on the id, so a page never shifts under a reader). */
export async function listReconcileRuns(
  db: SqlExecutor,
  options: ReconcileRunPageOptions = {},
): Promise<ReconcileRunPage> {
  const { pageSize, nextPageToken } = parseInput(reconcileRunPageSchema, options);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM reconcile_runs
      WHERE ($1::bigint IS NULL OR id < $1::bigint)
      ORDER BY id DESC LIMIT $2`,
    [nextPageToken ?? null, pageSize + 1],
  );
  const runs = rows.slice(0, pageSize).map((row) => reconcileRunSchema.parse(row));
  return rows.length > pageSize ? { runs, nextPageToken: runs[runs.length - 1].id } : { runs };
}

/** One run by its ledger id (as `runs` lists it) or its run id; null when unknown. */
export async function getReconcileRun(
  db: SqlExecutor,
  idOrRunId: string,
): Promise<ReconcileRun | null> {
  const key = parseInput(ledgerId, idOrRunId);
  const byId = /^[0-9]{1,18}$/.test(key) ? key : null;
  const [row] = await db.query(
    `SELECT ${COLUMNS} FROM reconcile_runs
      WHERE run_id = $1 OR id = $2::bigint
      ORDER BY (run_id = $1) DESC LIMIT 1`,
    [key, byId],
  );
  return row ? reconcileRunSchema.parse(row) : null;
}
