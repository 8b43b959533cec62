import { migrate } from '../../../src/ledger';
import { openPglite } from '../../../src/ledger/pglite-db';

/**
 * PGlite has no autovacuum: the ledger refreshes the planner's statistics itself after
 * writes, or a ledger that grew from empty would be planned as if it were still empty.
 */
describe('the PGlite ledger', () => {
  const estimate = async (db: Awaited<ReturnType<typeof openPglite>>) => {
    const [row] = await db.query<{ rows: number }>(
      "SELECT reltuples::float8 AS rows FROM pg_class WHERE relname = 'tenants'",
    );
    return Number(row?.rows);
  };

  const grow = (db: Awaited<ReturnType<typeof openPglite>>) =>
    db.query("INSERT INTO tenants (id) SELECT 'tenant-' || n FROM generate_series(1, 5000) AS n");

  test('when tables grow and no pass has run, then the planner still sees them empty', async () => {
    const db = await openPglite({ analyzeIntervalMs: 3_600_000 });
    try {
      await migrate(db);
      await grow(db);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await estimate(db)).toBeLessThan(1);
    } finally {
      await db.close();
    }
  });

  test('when tables grow, then within the analyze interval the planner knows their size', async () => {
    const db = await openPglite({ analyzeIntervalMs: 100 });
    try {
      await migrate(db);
      await grow(db);

      const deadline = Date.now() + 10_000;
      while ((await estimate(db)) < 5000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await estimate(db)).toBe(5000);
    } finally {
      await db.close();
    }
  });
});
