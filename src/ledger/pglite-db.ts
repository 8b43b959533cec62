import { mkdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { Mutex } from './mutex';
import { PGLITE_WORKER_SOURCE } from './pglite-worker-source';
import { quoteIdentifier, type SqlDb, type SqlExecutor } from './sql-db';

export interface PgliteOptions {
  /** A directory to persist to; in memory when absent. */
  dataDir?: string;
  /** Created when missing and put first on the search path. */
  schema?: string;
  /** How often tables are checked for growth after writes (see below). */
  analyzeIntervalMs?: number;
}

/**
 * PGlite has no autovacuum, so nothing would ever refresh the planner's statistics: a
 * ledger that grew from empty keeps planning as if its tables were empty (the first page
 * of a 10,000-user tenant's entitlements took 90 ms through a nested loop over every
 * grant). Every interval in which something was written, the tables whose size on disk
 * moved by more than a tenth (and 8 pages) from what their statistics last saw are
 * analyzed, as autovacuum's autoanalyze does for PostgreSQL by its change counters
 * (which PGlite does not keep). The check reads the catalog only; ANALYZE samples a
 * bounded number of rows, so a pass costs milliseconds to tens of them.
 */
export const PGLITE_ANALYZE_INTERVAL_MS = 5_000;

const TABLES_TO_ANALYZE = `
  SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND n.nspname = current_schema()
     AND abs(pg_relation_size(c.oid) / 8192 - greatest(c.relpages, 0))
         > 8 + greatest(c.relpages, 0) / 10`;

interface WorkerReply {
  id: number;
  results?: unknown[][];
  error?: { message: string; fields: Record<string, string> };
}

/** An error of the embedded server, with the same fields node-postgres gives (code, constraint). */
export class PgliteError extends Error {
  override readonly name = 'PgliteError';
  readonly code?: string;
  readonly constraint?: string;
  readonly detail?: string;

  constructor(message: string, fields: Record<string, string>) {
    super(message);
    this.code = fields.code;
    this.constraint = fields.constraint;
    this.detail = fields.detail;
  }
}

/** The worker thread that owns the PGlite instance; see pglite-worker-source.ts. */
class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (reply: WorkerReply) => void>();
  private nextId = 1;
  private exited = false;

  constructor(dataDir: string | undefined) {
    this.worker = new Worker(PGLITE_WORKER_SOURCE, {
      eval: true,
      workerData: {
        pglitePath: require.resolve('@electric-sql/pglite'),
        options: dataDir ? { dataDir } : {},
      },
    });
    // An idle database must not keep the process alive; a request in flight does.
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => this.settle(reply));
    this.worker.on('error', (error) => this.failAll(error.message));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.failAll(`PGlite thread exited with code ${code}`);
    });
  }

  /**
   * Runs statements in one message (opening a transaction first when `begin`); each
   * one's rows. With `end` the statements close a transaction (the last is its COMMIT):
   * if one fails, the thread rolls the transaction back before it reads its next message.
   */
  query(statements: Statement[], begin = false, end = false): Promise<unknown[][]> {
    return this.send({ op: 'query', statements, begin, end });
  }

  /** Runs a script by the simple protocol (several statements, no parameters). */
  async exec(sql: string, begin = false): Promise<void> {
    await this.send({ op: 'exec', sql, begin });
  }

  async close(): Promise<void> {
    await this.send({ op: 'close' });
  }

  private async send(message: object): Promise<unknown[][]> {
    // A message to an exited thread is dropped silently: fail instead of waiting forever.
    if (this.exited) throw new PgliteError('the PGlite database is closed', {});
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, ...message });
    });
    if (reply.error) throw new PgliteError(reply.error.message, reply.error.fields);
    return reply.results ?? [];
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private settle(reply: WorkerReply): void {
    const resolve = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    resolve?.(reply);
  }

  private failAll(message: string): void {
    for (const id of [...this.pending.keys()]) this.settle({ id, error: { message, fields: {} } });
  }
}

interface Statement {
  sql: string;
  params: unknown[];
}

function executor(thread: PgliteThread): SqlExecutor {
  return {
    query: async <Row>(sql: string, params: unknown[] = []) =>
      (await thread.query([{ sql, params }]))[0] as Row[],
    exec: (script: string) => thread.exec(script),
    deferWrite: async (sql: string, params: unknown[] = []) => {
      await thread.query([{ sql, params }]);
    },
  };
}

/**
 * A transaction's executor. Its first message carries the BEGIN (one round trip to the
 * thread, not two), and the statements it issues at once (in the same turn of the event
 * loop, as `Promise.all` over independent statements does) travel in one message and run
 * in the order issued: a round trip each turn instead of each statement. A deferred write
 * waits for the next message, or travels with the COMMIT (`sendCommit`): a transaction
 * that ends on writes nobody reads (its outbox, a mirror) costs no round trip for them.
 * `sendCommit` sends that last message and hands back its answer without waiting for it.
 * `settle` sends what is still batched and waits for everything sent to be answered, so
 * the ROLLBACK after it comes last even when the transaction's code threw with a statement
 * in flight; it tells whether anything was sent, so a transaction that ran no statement
 * has nothing to roll back.
 */
function transactionExecutor(thread: PgliteThread): SqlExecutor & {
  sendCommit: () => Promise<{ answered: Promise<unknown> }>;
  settle: () => Promise<boolean>;
} {
  let began = false;
  /** The last message sent: the thread answers messages in the order they were sent. */
  let lastSent: Promise<unknown> = Promise.resolve();
  let batch: Pending[] = [];
  let flushQueued = false;
  /** The first deferred write that failed: the transaction fails with it. */
  let deferredFailure: { error: Error } | undefined;
  const begin = () => {
    const first = !began;
    began = true;
    return first;
  };
  const send = (statements: Pending[], last: Statement[] = []) => {
    const sent = thread.query(
      [...statements.map(({ sql, params }) => ({ sql, params })), ...last],
      begin(),
      last.length > 0,
    );
    lastSent = sent.catch(() => undefined);
    sent.then(
      (results) => statements.forEach((statement, i) => statement.settle({ rows: results[i] })),
      // PostgreSQL skipped the statements after the one that failed: all share its error.
      (error: Error) => statements.forEach((statement) => statement.settle({ error })),
    );
    return sent;
  };
  const flush = () => {
    flushQueued = false;
    const statements = batch;
    batch = [];
    if (statements.length > 0) void send(statements).catch(() => undefined);
  };
  const deferred: Pending['settle'] = ({ error }) => {
    if (error) deferredFailure ??= { error };
  };
  return {
    sendCommit: async () => {
      await lastSent;
      // What is still batched stays for the rollback's `settle`, which sends it.
      if (deferredFailure) throw deferredFailure.error;
      const statements = batch;
      batch = [];
      if (!began && statements.length === 0) return { answered: Promise.resolve() };
      return { answered: send(statements, [COMMIT]) };
    },
    settle: async () => {
      flush();
      await lastSent;
      return began;
    },
    query: <Row>(sql: string, params: unknown[] = []) =>
      new Promise<Row[]>((resolve, reject) => {
        if (!flushQueued) {
          flushQueued = true;
          queueMicrotask(flush);
        }
        batch.push({
          sql,
          params,
          settle: ({ rows, error }) =>
            error === undefined ? resolve(rows as Row[]) : reject(error),
        });
      }),
    exec: (script: string) => {
      // After the statements issued before it, in the order issued.
      flush();
      const sent = thread.exec(script, begin());
      lastSent = sent.catch(() => undefined);
      return sent;
    },
    deferWrite: (sql: string, params: unknown[] = []) => {
      batch.push({ sql, params, settle: deferred });
      return Promise.resolve();
    },
  };
}

interface Pending extends Statement {
  settle: (outcome: { rows?: unknown[]; error?: Error }) => void;
}

const COMMIT: Statement = { sql: 'COMMIT', params: [] };

/**
 * Embedded PostgreSQL, the zero-setup default. It has one connection, so every call
 * and every transaction is queued: a transaction's statements never interleave with
 * another caller's. A transaction holds the queue until its COMMIT is sent, not until it
 * is answered: the thread runs messages in the order sent, so the next transaction's
 * statements run after that COMMIT all the same, and the queue is not held for a round
 * trip in which nobody can use the connection.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<SqlDb> {
  // PGlite creates the data directory itself, but not its parents (`.provisioner/pglite`).
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const thread = new PgliteThread(options.dataDir);
  const direct = executor(thread);
  try {
    await direct.query('SELECT 1');
    if (options.schema) {
      const schema = quoteIdentifier(options.schema);
      await direct.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`);
    }
  } catch (error: unknown) {
    await thread.terminate();
    throw error;
  }
  const mutex = new Mutex();
  /**
   * Holds the queue while `send` sends, and waits for the answer it hands back outside
   * the queue: the thread runs messages in the order sent, so the next caller's run after
   * it all the same. A transaction sends until its COMMIT; a statement alone, itself
   * (it leaves nothing open). A script may leave a transaction open when it fails, so
   * `exec` holds the queue until answered.
   */
  const sentInTurn = async <T>(send: () => Promise<{ answered: Promise<T> }>): Promise<T> => {
    const { answered } = await mutex.run(send);
    return answered;
  };
  let written = false;
  const analyzer = setInterval(() => {
    if (!written) return;
    written = false;
    // Statistics only steer plans: a pass that fails is tried again at the next interval.
    mutex
      .run(async () => {
        const grown = await direct.query<{ name: string }>(TABLES_TO_ANALYZE);
        for (const { name } of grown) await direct.exec(`ANALYZE ${name}`);
      })
      .catch(() => {
        written = true;
      });
  }, options.analyzeIntervalMs ?? PGLITE_ANALYZE_INTERVAL_MS);
  analyzer.unref();
  return {
    engine: 'pglite',
    query: (sql, params) => {
      if (!/^\s*SELECT\b/i.test(sql)) written = true;
      return sentInTurn(async () => ({ answered: direct.query(sql, params) }));
    },
    exec: (script) => {
      written = true;
      return mutex.run(() => direct.exec(script));
    },
    deferWrite: (sql, params) => {
      written = true;
      return sentInTurn(async () => ({ answered: direct.deferWrite(sql, params) }));
    },
    transaction: (fn) =>
      sentInTurn(async () => {
        written = true;
        const tx = transactionExecutor(thread);
        try {
          const result = await fn(tx);
          // Its caller waits for the COMMIT's answer; the next transaction, sent behind
          // it, runs after the COMMIT (or after the thread's ROLLBACK when it failed).
          const { answered } = await tx.sendCommit();
          return { answered: answered.then(() => result) };
        } catch (error: unknown) {
          if (await tx.settle()) await direct.query('ROLLBACK');
          throw error;
        }
      }),
    close: () =>
      mutex.run(async () => {
        clearInterval(analyzer);
        await thread.close();
        await thread.terminate();
      }),
  };
}
