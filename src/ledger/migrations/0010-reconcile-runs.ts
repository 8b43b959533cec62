import type { Migration } from './migration';

/**
 * The report of each reconciliation, kept so ops can list what the daily schedule (or a
 * run by hand) found. `run_id` is the run's business id (the schedule's workflow id, or
 * the command's own), so an activity retried after its write records the run once.
 * The drifts are stored as the report gave them: a list ops read, never a query's key.
 */
export const reconcileRuns: Migration = {
  version: 10,
  name: 'reconcile-runs',
  sql: /* sql */ `
CREATE TABLE reconcile_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL UNIQUE,
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'command')),
  since timestamptz NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL CHECK (finished_at >= started_at),
  checked_orders integer NOT NULL CHECK (checked_orders >= 0),
  drift_count integer NOT NULL CHECK (drift_count >= 0),
  drifts jsonb NOT NULL
);
`,
};
