/**
 * The ledger's only dependency on a database: one PostgreSQL dialect, two engines
 * (node-postgres against a server, PGlite embedded). Queries use `$1` placeholders and
 * return plain rows; anything engine-specific stays inside the adapters.
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * A write whose rows nobody reads (an outbox insert, a mirror's update). Inside a
   * transaction it is queued: it runs before the transaction's next statement, or with
   * its COMMIT (on PGlite in the same round trip), and resolves at once; its failure fails
   * the transaction. Outside one it runs now, as `query` does.
   */
  deferWrite(sql: string, params?: unknown[]): Promise<void>;
}

export interface SqlDb extends SqlExecutor {
  readonly engine: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Inside `fn` use only `tx`; calling the outer db would wait on the transaction itself.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The fields both engines report on a failed statement (SQLSTATE and constraint). */
export interface SqlErrorInfo {
  code: string;
  constraint?: string;
  message: string;
}

export function sqlErrorInfo(error: unknown): SqlErrorInfo | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (!('code' in error) || typeof error.code !== 'string') return undefined;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  const constraint =
    'constraint' in error && typeof error.constraint === 'string' ? error.constraint : undefined;
  return { code: error.code, constraint, message };
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
