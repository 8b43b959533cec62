import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { openLedger, type Ledger } from '../../../src/ledger';
import { ledgerEngines, openTestLedger, type TestLedger } from './engines';
import { planSubscription } from './fixtures';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function seed(ledger: Ledger): Promise<void> {
  await ledger.recordSubscription(planSubscription('sub-sales', 'acme', 'sales-essentials', 2));
  await ledger.assignSeats({
    subscriptionId: 'sub-sales',
    tenantId: 'acme',
    plan: 'sales-essentials',
    userIds: ['ann', 'bob'],
    orderId: 'order-7',
  });
}

/**
 * The command line over the ledger. Every refusal here is decided before a workflow
 * could start (Temporal is not running), so each is exit 2 naming the flag at fault.
 */
describe.each(ledgerEngines())('provisioner subscriptions on %s', (engine) => {
  const saved = {
    DATABASE_URL: process.env.DATABASE_URL,
    PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
  };
  let dataDir: string | undefined;
  let database: TestLedger | undefined;

  beforeAll(async () => {
    process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
    if (engine === 'pglite') {
      dataDir = await mkdtemp(path.join(tmpdir(), 'subscriptions-cli-'));
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

  it('when a subscription is shown, then its seats, assigned users and pending change are printed', async () => {
    const { code, out } = await cli(['subscriptions', 'show', 'acme', 'sub-sales']);

    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      id: 'sub-sales',
      productKey: 'sales-essentials',
      seats: 2,
      assigned: ['ann', 'bob'],
      pendingChange: null,
    });
  });

  it("when a tenant's subscriptions are listed, then each is printed", async () => {
    const { code, out } = await cli(['subscriptions', 'list', 'acme']);

    expect(code).toBe(0);
    const listed = JSON.parse(out) as { subscriptions: { id: string }[] };
    expect(listed.subscriptions.map((s) => s.id)).toEqual(['sub-sales']);
  });

  it.each([
    ['a change without --change', ['cancel', 'acme', 'sub-sales'], '--change'],
    [
      'an unknown plan',
      ['upgrade', 'acme', 'sub-sales', '--change', 'c1', '--plan', 'x'],
      '--plan',
    ],
    [
      'seats that are not a number',
      ['downgrade', 'acme', 'sub-sales', '--change', 'c1', '--seats', 'few'],
      '--seats',
    ],
    [
      'an "upgrade" to fewer seats',
      ['upgrade', 'acme', 'sub-sales', '--change', 'c1', '--seats', '1'],
      'seats',
    ],
    [
      'a downgrade below the assigned seats',
      ['downgrade', 'acme', 'sub-sales', '--change', 'c1', '--seats', '1'],
      'unassign',
    ],
    [
      'more users than seats',
      ['seats', 'acme', 'sub-sales', '--change', 'c1', '--assign', 'cy'],
      'assign',
    ],
    ['an unknown subscription', ['cancel', 'acme', 'sub-none', '--change', 'c1'], 'sub-none'],
    ['an unknown action', ['pause', 'acme', 'sub-sales'], 'pause'],
  ])('when %s is asked, then it exits 2 naming it, and nothing changes', async (_, argv, named) => {
    const { code, err } = await cli(['subscriptions', ...argv]);

    expect(code).toBe(2);
    expect(err).toContain(named);
    const shown = await cli(['subscriptions', 'show', 'acme', 'sub-sales']);
    expect(JSON.parse(shown.out)).toMatchObject({ seats: 2, assigned: ['ann', 'bob'] });
  });
});
