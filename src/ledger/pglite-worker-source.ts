/**
 * The script of the worker thread that owns a PGlite instance, as plain CommonJS run
 * with `eval`. Why a thread: PGlite is PostgreSQL compiled to WASM, so a query runs
 * synchronously on the thread that calls it; in a thread of its own it no longer stalls
 * the HTTP server's event loop. And PGlite's loader relies on dynamic `import()`, which a
 * fresh thread has even when the caller runs in a sandbox without it (jest's vm).
 *
 * Protocol: { id, op: 'query' | 'exec' | 'close', sql?, params?, begin? } in, { id, rows }
 * or { id, error } out. The caller sends one message at a time per transaction; \`begin\`
 * opens the transaction before the statement, so a transaction's first statement costs
 * one round trip, not two.
 */
export const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);

const ready = PGlite.create(workerData.options);
ready.catch(() => undefined);

function describe(error) {
  const fields = {};
  for (const key of ['code', 'constraint', 'detail', 'hint', 'table', 'column', 'schema']) {
    if (error && typeof error[key] === 'string') fields[key] = error[key];
  }
  return { message: error && error.message ? String(error.message) : String(error), fields };
}

parentPort.on('message', async (message) => {
  try {
    const db = await ready;
    let rows = [];
    if (message.begin) await db.exec('BEGIN');
    if (message.op === 'query') rows = (await db.query(message.sql, message.params)).rows;
    else if (message.op === 'exec') await db.exec(message.sql);
    else if (message.op === 'close') await db.close();
    parentPort.postMessage({ id: message.id, rows });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: describe(error) });
  }
});
`;
