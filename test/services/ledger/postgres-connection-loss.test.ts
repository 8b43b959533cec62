import { openTestDatabase, type TestDatabase } from './engines';

/**
 * PostgreSQL restarting (or a connection killed by an admin) while a ledger transaction
 * holds its connection between two statements: the transaction fails, the process lives
 * on, and the next transaction gets a fresh connection. Found by the chaos run, whose
 * PostgreSQL restart ended the API's process with an unhandled 'error' event.
 */
let database: TestDatabase;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('this test needs DATABASE_URL (PostgreSQL)');
  database = await openTestDatabase('postgres');
});

afterAll(async () => {
  await database?.dispose();
});

test('when the connection of an open transaction is terminated between statements, then that transaction fails and the next one works', async () => {
  const { db } = database;
  const killer = await database.openAnother();

  const failed = db.transaction(async (tx) => {
    const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await killer.query('SELECT pg_terminate_backend($1)', [pid]);
    // The server is gone before the next statement: give its 'error' event time to fire.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await tx.query('SELECT 1');
  });

  await expect(failed).rejects.toThrow();
  expect(await db.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).toEqual([
    { one: 1 },
  ]);
});
