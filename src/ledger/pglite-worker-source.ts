/**
 * The script of the worker thread that owns a PGlite instance, as plain CommonJS run
 * with `eval`. Why a thread: PGlite is PostgreSQL compiled to WASM, so a query runs
 * synchronously on the thread that calls it; in a thread of its own it no longer stalls
 * the HTTP server's event loop. And PGlite's loader relies on dynamic `import()`, which a
 * fresh thread has even when the caller runs in a sandbox without it (jest's vm).
 *
 * Protocol: { id, op: 'query', statements: [{ sql, params }], begin?, end? } or { id, op:
 * 'exec' | 'close', sql? } in, { id, results } (each statement's rows) or { id, error }
 * out. Messages are handled one after the other, in the order sent. \`begin\` opens the
 * transaction before the statements, so a transaction's first statement costs one round
 * trip, not two; statements a transaction issues at once travel in one message, and a
 * failure skips those after it (PostgreSQL skips to the next sync), which the whole
 * message is refused with. \`end\` marks a transaction's last message (its COMMIT last):
 * when it fails, the thread rolls back before it handles the next message, which may
 * already be the next transaction's (its sender does not wait for the COMMIT's answer).
 *
 * A query runs as a prepared statement, kept by its text: PostgreSQL parses and plans
 * it once (as a connection pool's driver does with named statements), and each run is
 * one pass through the wire protocol (bind, describe, execute, sync) where PGlite's own
 * \`query\` makes six (parse, describe, bind, describe, execute, sync), each parsing its
 * answer. The ledger's statements are a fixed set; the cache is bounded all the same, the
 * least recently used closed first. PostgreSQL replans a kept statement whose tables
 * changed; one whose result columns changed fails once (0A000) and is prepared again on
 * its next run.
 */
export const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, protocol, parse } = require(workerData.pglitePath);
const { serialize } = protocol;

const ready = PGlite.create(workerData.options);
ready.catch(() => undefined);

const STATEMENT_CACHE_SIZE = 500;
/** SQL text -> { name, paramTypes }, in order of last use. */
const statements = new Map();
let nextStatement = 1;

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function prepared(db, sql) {
  const known = statements.get(sql);
  if (known) {
    statements.delete(sql);
    statements.set(sql, known);
    return known;
  }
  const name = 'ledger_' + nextStatement++;
  const { messages } = await db.execProtocol(
    concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]),
  );
  const statement = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
  statements.set(sql, statement);
  if (statements.size > STATEMENT_CACHE_SIZE) {
    const [oldestSql, oldest] = statements.entries().next().value;
    statements.delete(oldestSql);
    // Outside a failed transaction this cannot fail; inside one the name merely stays.
    await db
      .execProtocol(concat([serialize.close({ type: 'S', name: oldest.name }), serialize.sync()]))
      .catch(() => undefined);
  }
  return statement;
}

/** Runs the statements in one pass; each one's rows (every execute completes one result). */
async function run(db, list) {
  const parts = [];
  for (const { sql, params } of list) {
    const statement = await prepared(db, sql);
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const serializer = db.serializers[statement.paramTypes[i]];
      return serializer ? serializer(param) : param.toString();
    });
    parts.push(
      serialize.bind({ statement: statement.name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
    );
  }
  parts.push(serialize.sync());
  try {
    const { messages } = await db.execProtocol(concat(parts));
    return parse.parseResults(messages, db.parsers).map((result) => result.rows);
  } catch (error) {
    if (error && error.code === '0A000') for (const { sql } of list) statements.delete(sql);
    throw error;
  }
}

function describe(error) {
  const fields = {};
  for (const key of ['code', 'constraint', 'detail', 'hint', 'table', 'column', 'schema']) {
    if (error && typeof error[key] === 'string') fields[key] = error[key];
  }
  return { message: error && error.message ? String(error.message) : String(error), fields };
}

const BEGIN = { sql: 'BEGIN', params: [] };
const ROLLBACK = { sql: 'ROLLBACK', params: [] };

async function handle(message) {
  try {
    const db = await ready;
    let results = [];
    if (message.op === 'query') {
      try {
        // BEGIN's own (empty) result is not the caller's.
        if (message.begin) results = (await run(db, [BEGIN, ...message.statements])).slice(1);
        else results = await run(db, message.statements);
      } catch (error) {
        // A transaction's last message failed: its COMMIT did not run (or ended it). No
        // later message may run in what is left of it.
        if (message.end) await run(db, [ROLLBACK]).catch(() => undefined);
        throw error;
      }
    } else if (message.op === 'exec') {
      if (message.begin) await run(db, [BEGIN]);
      await db.exec(message.sql);
    } else if (message.op === 'close') await db.close();
    parentPort.postMessage({ id: message.id, results });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: describe(error) });
  }
}

// One message at a time: a message's statements never start before the last one's ended.
let handled = Promise.resolve();
parentPort.on('message', (message) => {
  handled = handled.then(() => handle(message));
});
`;
