import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runChaos, type ChaosFigures } from './chaos-run';

/**
 * `npm run chaos -- --orders 1000 [--kills 8] [--concurrency 16]`: the chaos run, its
 * reconcile report and figures; exits 1 when money and licenses parted.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '1000' },
      kills: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '16' },
      'settle-timeout': { type: 'string', default: '600' },
    },
  });
  const number = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name}: "${values[name]}" must be a whole number of at least ${min}`);
    }
    return value;
  };
  const figures = await runChaos({
    orders: number('orders', 1),
    kills: number('kills', 5),
    concurrency: number('concurrency', 1),
    settleTimeoutMs: number('settle-timeout', 1) * 1000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(describe(figures));
  return figures.passed ? 0 : 1;
}

export function describe(f: ChaosFigures): string {
  const lines = [
    '',
    `chaos: ${f.orders} orders on ${cpus().length} cores, ${f.injected.workerKills} worker SIGKILLs, ${f.injected.devServerRestarts} dev server restart, ${f.injected.postgresRestarts} PostgreSQL restart`,
    `orders per final state: ${Object.entries(f.states)
      .map(([state, n]) => `${state} ${n}`)
      .join(', ')}`,
    `captures per order (max): ${f.maxCapturesPerOrder}${f.capturedMoreThanOnce.length ? ` (more than one: ${f.capturedMoreThanOnce.join(', ')})` : ''}`,
    `drift: ${f.drift}`,
    `needs attention: ${f.needsAttention}${f.withoutReason.length ? ` (without a reason: ${f.withoutReason.join(', ')})` : ''}`,
    `holds left on final orders: ${f.holdsLeftOnFinalOrders.length}${f.holdsLeftOnFinalOrders.length ? ` (${f.holdsLeftOnFinalOrders.join(', ')})` : ''}`,
    `not settled: ${f.notSettled.length}${f.notSettled.length ? ` (${f.notSettled.slice(0, 20).join(', ')})` : ''}`,
    `duplicate checkouts answered 409: ${f.duplicateAnswersDiffering.length}`,
    `time to settle: ${(f.settleMs / 1000).toFixed(1)} s (run ${(f.totalMs / 1000).toFixed(1)} s)`,
    f.passed ? 'PASS' : 'FAIL',
    '',
  ];
  return lines.join('\n');
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}
