import { runChaos, type ChaosFigures } from '../chaos/chaos-run';
import { describe as describeFigures } from '../chaos/main';

/**
 * The chaos run in CI, at 100 orders: its own PostgreSQL and dev server (each restarted
 * once), five worker SIGKILLs, 10% of Stripe and provisioning calls failing. The pass
 * criteria are what users rely on: money matches licenses once the orders settle.
 */
let figures: ChaosFigures;

beforeAll(async () => {
  const lines: string[] = [];
  figures = await runChaos({
    orders: 100,
    kills: 5,
    concurrency: 16,
    settleTimeoutMs: 180_000,
    log: (line) => lines.push(line),
  });
  process.stdout.write(`${lines.join('\n')}\n${describeFigures(figures)}`);
}, 900_000);

test('when 100 orders run through crashes, restarts and faults, then every order settles with its reason', () => {
  expect(figures.injected).toEqual({ workerKills: 5, devServerRestarts: 1, postgresRestarts: 1 });
  expect(figures.notSettled).toEqual([]);
  expect(figures.withoutReason).toEqual([]);
  expect(figures.duplicateAnswersDiffering).toEqual([]);
});

test('when the orders have settled, then no order was captured twice, no hold is left and reconcile finds no drift', () => {
  expect(figures.capturedMoreThanOnce).toEqual([]);
  expect(figures.maxCapturesPerOrder).toBeLessThanOrEqual(1);
  expect(figures.holdsLeftOnFinalOrders).toEqual([]);
  expect(figures.drift).toBe(0);
  expect(figures.passed).toBe(true);
});
