import { migrate } from '../../../src/ledger';
import { migrations } from '../../../src/ledger/migrations';
import { ledgerEngines, openTestDatabase, type TestDatabase } from './engines';

describe.each(ledgerEngines())('ledger migrations on %s', (engine) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await openTestDatabase(engine);
  });

  afterEach(async () => {
    await database.dispose();
  });

  it('when migrating an empty database, then every migration is applied and recorded once', async () => {
    const report = await migrate(database.db);

    expect(report.applied).toEqual(migrations.map((m) => m.version));
    const recorded = await database.db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(recorded.map((row) => row.version)).toEqual(migrations.map((m) => m.version));
  });

  it('when migrating again, then nothing is applied and the data is kept', async () => {
    await migrate(database.db);
    await database.db.query("INSERT INTO tenants (id) VALUES ('kept')");

    const again = await migrate(database.db);

    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(migrations.map((m) => m.version));
    expect(await database.db.query('SELECT id FROM tenants')).toEqual([{ id: 'kept' }]);
  });

  it('when two processes migrate at the same time, then both succeed and each migration is applied once', async () => {
    const other = await database.openAnother();

    const reports = await Promise.all([migrate(database.db), migrate(other)]);

    const appliedBy = reports.map((report) => report.applied.length).sort();
    expect(appliedBy).toEqual([0, migrations.length]);
    const recorded = await database.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM schema_migrations',
    );
    expect(recorded[0].count).toBe(migrations.length);
  });
});

describe('a closed database', () => {
  it.each(ledgerEngines())(
    'when %s is queried after close, then the query fails instead of hanging',
    async (engine) => {
      const database = await openTestDatabase(engine);
      await database.dispose();

      await expect(database.db.query('SELECT 1')).rejects.toThrow();
    },
  );
});
