import { Pool, type PoolClient } from 'pg';
import { quoteIdentifier, sqlErrorInfo, type SqlDb, type SqlExecutor } from './sql-db';

export interface PostgresOptions {
  databaseUrl: string;
  /** Created when missing and used as the search path (isolates tests and tenants of a server). */
  schema?: string;
  maxConnections?: number;
}

// Deadlocks and serialization failures are PostgreSQL asking the client to try again;
// every ledger transaction only touches the database, so running it again is safe.
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** Statements outside a transaction: each on whichever pooled connection is free. */
function poolExecutor(pool: Pool): SqlExecutor {
  return {
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await pool.query(sql, params);
      return result.rows as Row[];
    },
    async exec(script: string) {
      await pool.query(script);
    },
    async deferWrite(sql: string, params: unknown[] = []) {
      await pool.query(sql, params);
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
function transactionExecutor(client: PoolClient): SqlExecutor & {
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
      inTurn(async () => (await client.query(sql, params)).rows as Row[]),
    exec: (script: string) =>
      inTurn(async () => {
        await client.query(script);
      }),
    deferWrite: (sql: string, params: unknown[] = []) => {
      inTurn(() => client.query(sql, params)).catch((error: unknown) => {
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

async function inTransaction<T>(pool: Pool, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
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
    const tx = transactionExecutor(client);
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
  const direct = poolExecutor(pool);
  return {
    engine: 'postgres',
    query: (sql, params) => direct.query(sql, params),
    exec: (script) => direct.exec(script),
    deferWrite: (sql, params) => direct.deferWrite(sql, params),
    async transaction(fn) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await inTransaction(pool, fn);
        } catch (error: unknown) {
          const code = sqlErrorInfo(error)?.code;
          if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE_SQLSTATES.has(code)) throw error;
        }
      }
    },
    close: () => pool.end(),
  };
}
