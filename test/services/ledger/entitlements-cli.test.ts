import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { openLedger, type Ledger } from '../../../src/ledger';
import { ledgerEngines, openTestLedger, type TestLedger } from './engines';
import { planSubscription, tenantFlags, userFeatures } from './fixtures';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function seed(ledger: Ledger): Promise<void> {
  await ledger.recordSubscription(planSubscription('sub-sales', 'acme', 'sales-premium', 2));
  await ledger.assignSeats({
    subscriptionId: 'sub-sales',
    tenantId: 'acme',
    plan: 'sales-premium',
    userIds: ['ann'],
    orderId: 'order-7',
  });
  await ledger.applyGrants({
    orderId: 'order-7',
    tenantId: 'acme',
    subscriptionId: 'sub-sales',
    productKey: 'sales-premium',
    grants: [
      ...userFeatures(['ann'], ['quotes', 'saint']),
      ...tenantFlags('acme', ['quote-management'], 'system-license'),
    ],
  });
}

describe.each(ledgerEngines())('provisioner entitlements on %s', (engine) => {
  const saved = {
    DATABASE_URL: process.env.DATABASE_URL,
    PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR,
  };
  let dataDir: string | undefined;
  let database: TestLedger | undefined;

  beforeAll(async () => {
    if (engine === 'pglite') {
      dataDir = await mkdtemp(path.join(tmpdir(), 'ledger-cli-'));
      const ledger = await openLedger({ dataDir });
      await seed(ledger);
      await ledger.close();
      delete process.env.DATABASE_URL;
      process.env.PGLITE_DATA_DIR = dataDir;
    } else {
      database = await openTestLedger('postgres');
      await seed(database.ledger);
      process.env.DATABASE_URL = database.databaseUrl;
    }
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await database?.dispose();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('when a user is asked for, then their plans, features and sources are printed', async () => {
    const { code, out } = await cli(['entitlements', 'acme', 'ann']);

    expect(code).toBe(0);
    expect(out).toContain('user ann of tenant acme');
    expect(out).toContain('plans: sales-premium');
    expect(out).toMatch(/quotes\s+sales-premium \(subscription sub-sales, order order-7\)/);
    expect(out).toMatch(/quote-management\s+sales-premium/);
  });

  it('when --json is given for a tenant, then the output is the ledger answer as JSON', async () => {
    const { code, out } = await cli(['entitlements', 'acme', '--json']);

    expect(code).toBe(0);
    const parsed = JSON.parse(out) as {
      tenantId: string;
      users: { userId: string; features: { feature: string }[] }[];
    };
    expect(parsed.tenantId).toBe('acme');
    expect(parsed.users.map((u) => [u.userId, u.features.map((f) => f.feature)])).toEqual([
      ['ann', ['quotes', 'saint']],
    ]);
  });

  it('when the tenant is unknown, then the error says so and the exit code is 1', async () => {
    const { code, err } = await cli(['entitlements', 'globex']);

    expect(code).toBe(1);
    expect(err).toContain('tenant globex is unknown');
  });
});

describe('provisioner entitlements arguments', () => {
  it.each([
    [['entitlements'], 'missing TENANT'],
    [['entitlements', 'bad tenant'], 'TENANT: must be'],
    [['entitlements', 'acme', 'ann/../bob'], 'USER: must be'],
    [['entitlements', 'acme', 'ann', 'extra'], 'unexpected argument "extra"'],
    [['entitlements', 'acme', '--yaml'], "Unknown option '--yaml'"],
  ])(
    'when called with %j, then exit code 2 and the error names the argument',
    async (argv, message) => {
      const { code, err } = await cli(argv);

      expect(code).toBe(2);
      expect(err).toContain(message);
      expect(err).toContain('usage: provisioner entitlements TENANT [USER] [--json]');
    },
  );
});
