import { openPglite } from '../../../src/ledger/pglite-db';
import type { SqlDb } from '../../../src/ledger/sql-db';

/**
 * PGlite's one connection carries every transaction, and a transaction's BEGIN travels
 * with its first statement: whatever a transaction does or fails to do, the next one
 * starts on a connection with no transaction open.
 */
describe('transactions on the PGlite ledger', () => {
  let db: SqlDb;
  const names = async () =>
    (await db.query<{ name: string }>('SELECT name FROM items ORDER BY name')).map((r) => r.name);
  /** True when a transaction is open on the connection: only then is a savepoint allowed. */
  const inTransaction = () =>
    db.exec('SAVEPOINT probe; RELEASE SAVEPOINT probe').then(
      () => true,
      (error: { code?: string }) => {
        if (error.code === '25P01') return false;
        throw error;
      },
    );

  beforeAll(async () => {
    db = await openPglite();
    await db.exec('CREATE TABLE items (name text PRIMARY KEY)');
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.exec('TRUNCATE items');
  });

  test('when its statements succeed, then all of them are committed', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
      await tx.exec("INSERT INTO items (name) VALUES ('b')");
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM items'))[0].n;
    });

    expect(result).toBe(2);
    expect(await names()).toEqual(['a', 'b']);
    expect(await inTransaction()).toBe(false);
  });

  test('when a later statement fails, then the earlier ones are rolled back', async () => {
    const failed = db.transaction(async (tx) => {
      await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
      await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
    });

    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await names()).toEqual([]);
    expect(await inTransaction()).toBe(false);
  });

  test('when its first statement fails, then the next transaction runs on its own', async () => {
    await expect(
      db.transaction((tx) => tx.query('INSERT INTO missing (name) VALUES ($1)', ['a'])),
    ).rejects.toMatchObject({ code: '42P01' });

    await db.transaction((tx) => tx.query('INSERT INTO items (name) VALUES ($1)', ['b']));
    expect(await names()).toEqual(['b']);
    expect(await inTransaction()).toBe(false);
  });

  test('when it fails before any statement, then nothing is sent and nothing stays open', async () => {
    await expect(
      db.transaction(async () => {
        throw new Error('refused before writing');
      }),
    ).rejects.toThrow('refused before writing');
    expect(await db.transaction(async () => 'nothing to write')).toBe('nothing to write');

    expect(await inTransaction()).toBe(false);
    await db.query('INSERT INTO items (name) VALUES ($1)', ['c']);
    expect(await names()).toEqual(['c']);
  });

  test('when transactions run at once, then each sees only its own uncommitted rows', async () => {
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO items (name) VALUES ($1)', [name]);
          await new Promise((resolve) => setTimeout(resolve, 10));
          return (await tx.query<{ name: string }>('SELECT name FROM items ORDER BY name')).map(
            (r) => r.name,
          );
        }),
      ),
    );

    expect(seen).toEqual([['a'], ['a', 'b'], ['a', 'b', 'c']]);
    expect(await names()).toEqual(['a', 'b', 'c']);
  });

  test('when a transaction issues statements at once, then they run in the order issued, each answering its own', async () => {
    const [first, counted, more] = await db.transaction((tx) =>
      Promise.all([
        tx.query('INSERT INTO items (name) VALUES ($1) RETURNING name', ['a']),
        tx.query('SELECT count(*)::int AS n FROM items'),
        tx.query('INSERT INTO items (name) VALUES ($1), ($2) RETURNING name', ['b', 'c']),
      ]),
    );

    expect(first).toEqual([{ name: 'a' }]);
    expect(counted).toEqual([{ n: 1 }]);
    expect(more).toEqual([{ name: 'b' }, { name: 'c' }]);
    expect(await names()).toEqual(['a', 'b', 'c']);
  });

  test('when one of the statements issued at once fails, then none of them is kept', async () => {
    const failed = db.transaction((tx) =>
      Promise.all([
        tx.query('INSERT INTO items (name) VALUES ($1)', ['a']),
        tx.query('INSERT INTO items (name) VALUES ($1)', ['a']),
        tx.query('INSERT INTO items (name) VALUES ($1)', ['b']),
      ]),
    );

    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await names()).toEqual([]);
    expect(await inTransaction()).toBe(false);
    await db.transaction(async (tx) => {
      await Promise.all([
        tx.query('INSERT INTO items (name) VALUES ($1)', ['c']),
        tx.exec("INSERT INTO items (name) VALUES ('d')"),
      ]);
    });
    expect(await names()).toEqual(['c', 'd']);
  });

  test('when its COMMIT fails, then the caller gets the error and the transaction queued behind it runs on its own', async () => {
    await db.exec(
      'CREATE TABLE IF NOT EXISTS late (name text UNIQUE DEFERRABLE INITIALLY DEFERRED); TRUNCATE late',
    );
    const lateNames = async () =>
      (await db.query<{ name: string }>('SELECT name FROM late ORDER BY name')).map((r) => r.name);
    // The deferred unique check runs at COMMIT: the statements succeed, the COMMIT fails.
    const [failed, next] = await Promise.allSettled([
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO late (name) VALUES ($1), ($1)', ['a']);
        await tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
        return 'committed';
      }),
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (name) VALUES ($1)', ['b']);
        return (await tx.query<{ name: string }>('SELECT name FROM items ORDER BY name')).map(
          (r) => r.name,
        );
      }),
    ]);

    expect(failed).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
    expect(next).toEqual({ status: 'fulfilled', value: ['b'] });
    expect(await lateNames()).toEqual([]);
    expect(await names()).toEqual(['b']);
    expect(await inTransaction()).toBe(false);
  });

  test('when statements outside a transaction are issued at once, then they run in the order issued and a failure is only its own', async () => {
    const outcomes = await Promise.allSettled([
      db.query('INSERT INTO items (name) VALUES ($1)', ['a']),
      db.query('INSERT INTO items (name) VALUES ($1)', ['a']),
      db.transaction((tx) => tx.query('INSERT INTO items (name) VALUES ($1)', ['b'])),
      db.query<{ name: string }>('SELECT name FROM items ORDER BY name'),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({ reason: { code: '23505' } });
    expect(outcomes[3]).toEqual({ status: 'fulfilled', value: [{ name: 'a' }, { name: 'b' }] });
    expect(await inTransaction()).toBe(false);
  });

  test('when its code throws with a statement not yet answered, then that statement is rolled back too', async () => {
    const failed = db.transaction(async (tx) => {
      void tx.query('INSERT INTO items (name) VALUES ($1)', ['a']);
      throw new Error('gave up');
    });

    await expect(failed).rejects.toThrow('gave up');
    expect(await inTransaction()).toBe(false);
    expect(await names()).toEqual([]);
  });
});
