/**
 * What an order costs the PostgreSQL ledger, with its statements prepared once per
 * connection (the default) against the same statements parsed and planned on every run
 * (DATABASE_PREPARED_STATEMENTS=false), in the same run: per order the ledger calls of a
 * plan's checkout, grant step and record step, one order at a time, and the CPU the
 * PostgreSQL server's processes spent on them. The two take turns in rounds (ABBA) in one
 * schema of their own; the ratios printed are the rounds' medians. Prints figures,
 * asserts nothing.
 *
 * Run: npx tsx bench/ledger.ts [--database-url URL] [--orders N] [--rounds R]
 * (DATABASE_URL when no URL is given; `bash scripts/start-postgres.sh` prints one).
 */
import { performance } from 'node:perf_hooks';
import { getCatalog, grantsForPlan } from '../src/catalog';
import { migrate, openDatabase, createLedger, type Ledger } from '../src/ledger';
import { cpuFigures, postgresProcesses, type CpuParts } from './cpu-meter';
import { median } from './rounds';
import { flag, wholeNumberFlag } from './flags';

const DAY = 24 * 60 * 60 * 1000;
const PLAN = 'sales-premium';
const SEATS = 3;

const DATABASE_URL = flag('--database-url') ?? process.env.DATABASE_URL;
const ORDERS = wholeNumberFlag('--orders', 300, 1, 'orders');
const ROUNDS = wholeNumberFlag('--rounds', 4, 1, 'rounds');

const postgres: CpuParts = { PostgreSQL: postgresProcesses };

interface HalfFigures {
  /** Wall time per order of each call, one order at a time, ms. */
  calls: { checkout: number; grant: number; record: number };
  perOrder: number;
  cpu: number;
}

let placed = 0;

/** `count` plan orders through `ledger`, each as checkout, the grant step and the record step write it. */
async function orders(ledger: Ledger, count: number): Promise<HalfFigures> {
  const catalog = getCatalog();
  const calls = { checkout: 0, grant: 0, record: 0 };
  const cpu = cpuFigures(postgres);
  const began = performance.now();
  for (let i = 0; i < count; i++) {
    const n = placed++;
    const tenantId = `bench-ledger-tenant-${n % 50}`;
    const subscriptionId = `bench-ledger-sub-${process.pid}-${n}`;
    const orderId = `order-of-${subscriptionId}`;
    const userIds = Array.from({ length: SEATS }, (_, seat) => `user-${n}-${seat}`);
    const subscription = {
      id: subscriptionId,
      tenantId,
      kind: 'plan' as const,
      productKey: PLAN,
      seats: SEATS,
      period: 'month' as const,
      catalogVersion: 1,
      orderId,
      currentPeriodStart: new Date(Date.now() - DAY).toISOString(),
      currentPeriodEnd: new Date(Date.now() + 30 * DAY).toISOString(),
    };
    let at = performance.now();
    await ledger.recordOrder({
      orderId,
      tenantId,
      kind: 'plan',
      productKey: PLAN,
      amount: 9900,
      currency: 'EUR',
      subscriptionId,
      request: { plan: PLAN, seats: SEATS, assign: userIds },
    });
    calls.checkout += performance.now() - at;
    at = performance.now();
    await ledger.grantOrder({
      orderId,
      tenantId,
      subscription,
      seats: { plan: PLAN, userIds },
      grants: grantsForPlan(catalog, PLAN, userIds, tenantId),
      paymentIntentId: `pi_${subscriptionId}`,
    });
    calls.grant += performance.now() - at;
    at = performance.now();
    await ledger.recordSubscription(
      { ...subscription, status: 'active', paymentIntentId: `pi_${subscriptionId}` },
      {
        paidPeriod: { amount: 9900, currency: 'eur', paidBy: orderId },
        orderState: { orderId, state: 'completed', status: { state: 'completed' } },
      },
    );
    calls.record += performance.now() - at;
  }
  const wall = performance.now() - began;
  return {
    calls: {
      checkout: calls.checkout / count,
      grant: calls.grant / count,
      record: calls.record / count,
    },
    perOrder: wall / count,
    cpu: cpu(count).total,
  };
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

function print(label: string, figures: HalfFigures): void {
  const { checkout, grant, record } = figures.calls;
  console.log(
    `  ${label}: ${ms(figures.perOrder)} an order (checkout ${ms(checkout)}, grant ${ms(grant)}, ` +
      `record ${ms(record)}); PostgreSQL's CPU ${ms(figures.cpu)} an order`,
  );
}

async function main(): Promise<void> {
  if (!DATABASE_URL) {
    console.error('bench/ledger.ts needs PostgreSQL: --database-url URL, or DATABASE_URL');
    process.exit(2);
  }
  const schema = `bench_ledger_${process.pid}_${Date.now()}`;
  const open = (preparedStatements: boolean) =>
    openDatabase({ databaseUrl: DATABASE_URL, schema, preparedStatements });
  const preparedDb = await open(true);
  const parsedDb = await open(false);
  try {
    await migrate(preparedDb);
    const halves = {
      prepared: { label: 'prepared once per connection', ledger: createLedger(preparedDb) },
      parsed: { label: 'parsed on every run (the reference)', ledger: createLedger(parsedDb) },
    };
    console.log(
      `PostgreSQL ledger, schema ${schema}: ${ORDERS} plan orders of ${SEATS} seats a half, ` +
        `one at a time, ${ROUNDS} rounds (ABBA) after ${ORDERS} unmeasured orders each`,
    );
    await orders(halves.parsed.ledger, ORDERS);
    await orders(halves.prepared.ledger, ORDERS);
    const ratios = { perOrder: [] as number[], cpu: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      const order =
        round % 2 ? (['parsed', 'prepared'] as const) : (['prepared', 'parsed'] as const);
      const figures = {} as Record<keyof typeof halves, HalfFigures>;
      console.log(`round ${round}:`);
      for (const half of order) {
        figures[half] = await orders(halves[half].ledger, ORDERS);
        print(halves[half].label, figures[half]);
      }
      ratios.perOrder.push(figures.prepared.perOrder / figures.parsed.perOrder);
      ratios.cpu.push(figures.prepared.cpu / figures.parsed.cpu);
      console.log(
        `  round ${round}: time an order ${ratios.perOrder.at(-1)!.toFixed(2)}x the reference's; ` +
          `PostgreSQL's CPU ${ratios.cpu.at(-1)!.toFixed(2)}x`,
      );
    }
    console.log(
      `ratio, median of ${ROUNDS} rounds: time an order ${median(ratios.perOrder).toFixed(2)}x ` +
        `the reference's; PostgreSQL's CPU an order ${median(ratios.cpu).toFixed(2)}x`,
    );
  } finally {
    await parsedDb.close();
    await preparedDb.exec(`DROP SCHEMA ${schema} CASCADE`);
    await preparedDb.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
