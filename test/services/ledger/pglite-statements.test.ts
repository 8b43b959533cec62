import { openPglite } from '../../../src/ledger/pglite-db';
import type { SqlDb } from '../../../src/ledger/sql-db';

/**
 * The PGlite ledger runs each query as a statement prepared once and kept by its text:
 * runs of one statement with other values answer for those values, the kept set stays
 * bounded, and a statement that fails leaves nothing behind.
 */
describe('prepared statements on the PGlite ledger', () => {
  let db: SqlDb;
  const kept = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements'))[0].n;

  beforeAll(async () => {
    db = await openPglite();
    await db.exec(`CREATE TABLE things (
      id int PRIMARY KEY, name text, tags text[], data jsonb, at timestamptz, ok boolean)`);
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.exec('TRUNCATE things');
  });

  test('when one statement runs with other values, then each run answers for its own', async () => {
    const insert =
      'INSERT INTO things (id, name, tags, data, at, ok) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, name';
    const at = new Date('2026-01-02T03:04:05.000Z');
    const first = await db.query(insert, [1, 'one', ['a', 'b'], { seats: 3 }, at, true]);
    const second = await db.query(insert, [2, null, [], { seats: [1, 2] }, null, false]);

    expect(first).toEqual([{ id: 1, name: 'one' }]);
    expect(second).toEqual([{ id: 2, name: null }]);
    const select = 'SELECT id, name, tags, data, at, ok FROM things WHERE id = $1';
    expect(await db.query(select, [1])).toEqual([
      { id: 1, name: 'one', tags: ['a', 'b'], data: { seats: 3 }, at, ok: true },
    ]);
    expect(await db.query(select, [2])).toEqual([
      { id: 2, name: null, tags: [], data: { seats: [1, 2] }, at: null, ok: false },
    ]);
    expect(await db.query(select, [3])).toEqual([]);
  });

  test('when more statements run than it keeps, then the oldest are closed and prepared again on use', async () => {
    for (let i = 0; i < 600; i++) {
      expect(await db.query(`SELECT $1::int + ${i} AS n`, [1])).toEqual([{ n: 1 + i }]);
    }

    expect(await kept()).toBeLessThanOrEqual(500);
    expect(await db.query('SELECT $1::int + 0 AS n', [41])).toEqual([{ n: 41 }]);
  });

  test('when a statement fails, then its error is PostgreSQL’s and the next statements run', async () => {
    await expect(db.query('SELEC id FROM things', [])).rejects.toMatchObject({ code: '42601' });
    await expect(db.query('INSERT INTO things (id) VALUES ($1)', ['x'])).rejects.toMatchObject({
      code: '22P02',
    });
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO things (id, name) VALUES ($1, $2)', [7, 'seven']);
    });

    expect(await db.query('SELECT id, name FROM things', [])).toEqual([{ id: 7, name: 'seven' }]);
  });

  test('when a kept statement’s result columns change, then it fails once and is prepared again', async () => {
    await db.exec('CREATE TABLE moving (id int)');
    await db.query('INSERT INTO moving (id) VALUES ($1)', [1]);
    expect(await db.query('SELECT * FROM moving', [])).toEqual([{ id: 1 }]);
    await db.exec('ALTER TABLE moving ADD COLUMN name text');

    await expect(db.query('SELECT * FROM moving', [])).rejects.toMatchObject({ code: '0A000' });
    expect(await db.query('SELECT * FROM moving', [])).toEqual([{ id: 1, name: null }]);
  });
});
