import type { SqlDb } from '../../../src/ledger/sql-db';
import { ledgerEngines, openTestDatabase, type TestDatabase } from './engines';

/**
 * A deferred write (the outbox's insert, an order's mirror) is queued in its transaction
 * and sent with the next statement or the COMMIT: it must still be seen by what the
 * transaction does after it, kept or dropped with the transaction, and fail it.
 */
describe.each(ledgerEngines())('deferred writes, on %s', (engine) => {
  let database: TestDatabase;
  let db: SqlDb;
  const names = async () =>
    (await db.query<{ name: string }>('SELECT name FROM items ORDER BY name')).map((r) => r.name);
  const insert = 'INSERT INTO items (name) VALUES ($1)';

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    db = database.db;
    await db.exec('CREATE TABLE items (name text PRIMARY KEY)');
  });
  afterAll(async () => {
    await database?.dispose();
  });
  beforeEach(async () => {
    await db.exec('TRUNCATE items');
  });

  test('when a transaction defers writes, then its later statements see them and its commit keeps them', async () => {
    const counted = await db.transaction(async (tx) => {
      await tx.deferWrite(insert, ['a']);
      await tx.deferWrite(insert, ['b']);
      const [{ n }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
      await tx.deferWrite(insert, ['c']);
      return n;
    });

    expect(counted).toBe(2);
    expect(await names()).toEqual(['a', 'b', 'c']);
  });

  test('when a write deferred to the commit fails, then the transaction fails with its error and keeps nothing', async () => {
    const failed = db.transaction(async (tx) => {
      await tx.query(insert, ['a']);
      await tx.deferWrite(insert, ['b']);
      await tx.deferWrite(insert, ['a']);
      return 'done';
    });

    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await names()).toEqual([]);
    // The connection is left with no transaction open: the next one commits on its own.
    await db.transaction((tx) => tx.deferWrite(insert, ['c']));
    expect(await names()).toEqual(['c']);
  });

  test('when a write deferred to the commit fails, then the transaction already waiting behind it keeps its own rows and none of the failed one', async () => {
    const [failed, next] = await Promise.allSettled([
      db.transaction(async (tx) => {
        await tx.query(insert, ['a']);
        await tx.deferWrite(insert, ['a']);
      }),
      db.transaction(async (tx) => {
        const seen = await tx.query<{ name: string }>('SELECT name FROM items');
        await tx.deferWrite(insert, ['b']);
        return seen.map((row) => row.name);
      }),
    ]);

    expect(failed).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
    expect(next).toEqual({ status: 'fulfilled', value: [] });
    expect(await names()).toEqual(['b']);
  });

  test('when a deferred write fails before a later statement, then the transaction fails even if its code goes on', async () => {
    const failed = db.transaction(async (tx) => {
      await tx.query(insert, ['a']);
      await tx.deferWrite(insert, ['a']);
      await tx.query('SELECT 1').catch(() => undefined);
      return 'done';
    });

    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await names()).toEqual([]);
  });

  test('when a write is deferred outside a transaction, then it runs at once and fails at once', async () => {
    await db.deferWrite(insert, ['a']);
    expect(await names()).toEqual(['a']);
    await expect(db.deferWrite(insert, ['a'])).rejects.toMatchObject({ code: '23505' });
  });
});
