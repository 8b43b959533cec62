import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { dataConverterFor } from '../../src/runtime/temporal';
import { TRACING_WORKFLOW_MODULE } from '../../src/telemetry/tracing';
import { HISTORY_CODEC_KEYS } from '../harness/history-codec';

/**
 * Recorded histories replayed against the current workflow code: a change that would
 * break workflows already running in production fails here, in CI, before it ships.
 */
const historiesDir = join(__dirname, '..', 'histories');
// What the worker runs with: histories recorded unencrypted replay through it unchanged.
const dataConverter = dataConverterFor({ TEMPORAL_CODEC_KEYS: HISTORY_CODEC_KEYS });

function loadHistory(relativePath: string) {
  return historyFromJSON(JSON.parse(readFileSync(join(historiesDir, relativePath), 'utf8')));
}

describe('replaying recorded histories', () => {
  test('the harness workflow replays its recorded 30-day history without a determinism error', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('../harness/workflows') },
        loadHistory('harness/remind-after-thirty-days.json'),
      ),
    ).resolves.toBeUndefined();
  });

  test('when the workflow code changes incompatibly, replaying the recorded history fails', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('../harness/changed/workflows') },
        loadHistory('harness/remind-after-thirty-days.json'),
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  // Real orders (completed, declined, 3-D Secure, aborted by ops), recorded by
  // test/harness/record-order-histories.ts against the full local stack.
  const orderHistories = readdirSync(join(historiesDir, 'orders')).filter((f) =>
    f.endsWith('.json'),
  );

  test('there are recorded order histories to replay', () => {
    expect(orderHistories.length).toBeGreaterThanOrEqual(4);
  });

  test.each(orderHistories)(
    'the order workflow replays the recorded history %s without a determinism error',
    async (file) => {
      await expect(
        Worker.runReplayHistory(
          { workflowsPath: require.resolve('../../workflows'), dataConverter },
          loadHistory(`orders/${file}`),
        ),
      ).resolves.toBeUndefined();
    },
  );

  // Real subscription changes (upgrade, seats, downgrade, withdrawal, payment method, cancel
  // now, an upgrade aborted by ops), recorded by test/harness/record-change-histories.ts.
  const changeHistories = readdirSync(join(historiesDir, 'changes')).filter((f) =>
    f.endsWith('.json'),
  );

  test.each(changeHistories)(
    'the subscription change workflow replays the recorded history %s without a determinism error',
    async (file) => {
      await expect(
        Worker.runReplayHistory(
          { workflowsPath: require.resolve('../../workflows') },
          loadHistory(`changes/${file}`),
        ),
      ).resolves.toBeUndefined();
    },
  );

  // A worker with tracing on runs the workflows with the OpenTelemetry interceptor: it
  // must replay what workers without it recorded (it adds headers, never commands).
  test('with the tracing interceptor, every recorded order and change history replays without a determinism error', async () => {
    const histories = [
      ...orderHistories.map((file) => `orders/${file}`),
      ...changeHistories.map((file) => `changes/${file}`),
    ].map((path) => ({ workflowId: path, history: loadHistory(path) }));
    const results = Worker.runReplayHistories(
      {
        workflowsPath: require.resolve('../../workflows'),
        dataConverter,
        interceptors: { workflowModules: [TRACING_WORKFLOW_MODULE] },
        sinks: {
          exporter: makeWorkflowExporter(
            new SimpleSpanProcessor(new InMemorySpanExporter()),
            new Resource({ 'service.name': 'replay' }),
          ),
        },
      },
      histories,
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of results) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });
});
