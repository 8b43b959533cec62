import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import { quoteIdentifier, sqlErrorInfo, type SqlDb, type SqlExecutor } from './sql-db';

export interface PostgresOptions {
  databaseUrl: string;
  /** Created when missing and used as the search path (isolates tests and tenants of a server). */
  schema?: string;
  maxConnections?: number;
  /**
   * Named statements, each prepared once per connection (default). Off for a pooler that
   * hands one client's statements to several server connections (PgBouncer in
   * transaction mode before 1.21, or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
}

// Deadlocks and serialization failures are PostgreSQL asking the client to try again (and
// so is a stale prepared statement, below); every ledger transaction only touches the
// database, so running it again is safe.
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/**
 * A query runs as a named statement, prepared on each connection the first time that
 * connection runs its text (node-postgres remembers which it has): PostgreSQL parses it
 * once per connection instead of on every run, and plans it once it has seen it run a
 * few times, as PGlite's thread does with its own statement cache. The ledger's statements
 * are a fixed set, so each connection holds a few dozen. A name is derived from the text,
 * so every connection and process calls the same text by the same name.
 */
const names = new Map<string, string>();
const NAMES_KEPT = 1000;
let renamed = 0;

/** 39 characters and a short suffix: within PostgreSQL's 63, which it would truncate to. */
const nameOf = (sql: string, suffix = '') =>
  `ledger_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}${suffix}`;

function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    if (names.size >= NAMES_KEPT) names.delete(names.keys().next().value!);
    name = nameOf(sql);
    names.set(sql, name);
  }
  return name;
}

/**
 * PostgreSQL replans a prepared statement whose tables changed, but refuses to run one
 * whose result columns changed (a migration altered a column it returns): the text is
 * given a new name, which each connection prepares afresh on its next run.
 */
const isStalePlan = (error: unknown) => {
  const info = sqlErrorInfo(error);
  return info?.code === '0A000' && /cached plan must not change result type/.test(info.message);
};

type Queryable = { query(config: QueryConfig): Promise<QueryResult> };

/** How a statement is sent: named (prepared once per connection) or parsed on every run. */
type Run = (on: Queryable, sql: string, params: unknown[]) => Promise<QueryResult>;

const runUnnamed: Run = (on, sql, params) => on.query({ text: sql, values: params });

const runNamed: Run = async (on, sql, params) => {
  try {
    return await on.query({ name: statementName(sql), text: sql, values: params });
  } catch (error: unknown) {
    if (isStalePlan(error)) names.set(sql, nameOf(sql, `_${++renamed}`));
    throw error;
  }
};

/** Statements outside a transaction: each on whichever pooled connection is free. */
function poolExecutor(pool: Pool, run: Run): SqlExecutor {
  // A statement alone whose plan went stale runs again, under its new name.
  const runOnPool = (sql: string, params: unknown[]) =>
    run(pool, sql, params).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      return run(pool, sql, params);
    });
  return {
    async query<Row>(sql: string, params: unknown[] = []) {
      return (await runOnPool(sql, params)).rows as Row[];
    },
    async exec(script: string) {
      await pool.query(script);
    },
    async deferWrite(sql: string, params: unknown[] = []) {
      await runOnPool(sql, params);
    },
  };
}

/**
 * A transaction's executor: statements issued at once (`Promise.all`) go to the server one
 * after another, in the order issued, since a connection runs one query at a time.
 * Deferred writes run in their turn too, without their caller waiting; the first of them
 * to fail is kept (`deferredFailure`). `finish` waits for every statement issued, so
 * COMMIT or ROLLBACK comes last.
 */
function transactionExecutor(
  client: PoolClient,
  run: Run,
): SqlExecutor & {
  finish: () => Promise<void>;
  deferredFailure: () => { error: unknown } | undefined;
} {
  let last: Promise<unknown> = Promise.resolve();
  let deferredFailure: { error: unknown } | undefined;
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    const next = last.then(run, run);
    last = next.catch(() => undefined);
    return next;
  };
  return {
    query: <Row>(sql: string, params: unknown[] = []) =>
      inTurn(async () => (await run(client, sql, params)).rows as Row[]),
    exec: (script: string) =>
      inTurn(async () => {
        await client.query(script);
      }),
    deferWrite: (sql: string, params: unknown[] = []) => {
      inTurn(() => run(client, sql, params)).catch((error: unknown) => {
        deferredFailure ??= { error };
      });
      return Promise.resolve();
    },
    finish: async () => {
      await last;
    },
    deferredFailure: () => deferredFailure,
  };
}

async function inTransaction<T>(
  pool: Pool,
  run: Run,
  fn: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // The pool listens for errors only on idle clients. A server that goes away while this
  // one is checked out (a restart between two statements of the transaction) would
  // otherwise emit an unhandled 'error' and end the process; the next statement fails
  // instead, and the client is discarded.
  const lost = () => {
    broken = true;
  };
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    const tx = transactionExecutor(client, run);
    const result = await fn(tx).finally(tx.finish);
    // A deferred write that failed fails the transaction here.
    const failed = tx.deferredFailure();
    if (failed) throw failed.error;
    await client.query('COMMIT');
    return result;
  } catch (error: unknown) {
    // A connection that cannot even roll back is discarded rather than reused.
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}

/** A PostgreSQL server through a node-postgres pool. */
export async function openPostgres(options: PostgresOptions): Promise<SqlDb> {
  if (options.schema) {
    const setup = new Pool({ connectionString: options.databaseUrl, max: 1 });
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {}),
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const run = options.preparedStatements === false ? runUnnamed : runNamed;
  const direct = poolExecutor(pool, run);
  return {
    engine: 'postgres',
    query: (sql, params) => direct.query(sql, params),
    exec: (script) => direct.exec(script),
    deferWrite: (sql, params) => direct.deferWrite(sql, params),
    async transaction(fn) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await inTransaction(pool, run, fn);
        } catch (error: unknown) {
          const code = sqlErrorInfo(error)?.code;
          const retryable = (code && RETRYABLE_SQLSTATES.has(code)) || isStalePlan(error);
          if (attempt >= MAX_ATTEMPTS || !retryable) throw error;
        }
      }
    },
    close: () => pool.end(),
  };
}
