import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { dataConverterFor, payloadCodecFor } from '../../src/runtime/temporal';
import { TRACING_WORKFLOW_MODULE } from '../../src/telemetry/tracing';
import { HISTORY_CODEC_KEYS, RETIRED_HISTORY_CODEC_KEYS } from '../harness/history-codec';

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
  // Real orders (completed, declined, 3-D Secure, aborted by ops), recorded by
  // test/harness/record-order-histories.ts against the full local stack.
  const orderHistories = readdirSync(join(historiesDir, 'orders')).filter((f) =>
    f.endsWith('.json'),
  );

  test('there are recorded order histories to replay', () => {
    expect(orderHistories.length).toBeGreaterThanOrEqual(4);
  });

  test('when the order workflow changes incompatibly without a patch, replaying a recorded order fails', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('../harness/changed/workflows'), dataConverter },
        loadHistory('orders/rec-plan.json'),
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
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

  // An order recorded under a key since retired (test/harness/record-rotation-history.ts):
  // rotation puts a new key first and keeps the old one after it.
  describe('after a codec key rotation', () => {
    const file = 'rotation/rec-rotated.json';
    const workflowsPath = require.resolve('../../workflows');

    test('the recorded history is encrypted under the retired key, its personal data unreadable', () => {
      const raw = readFileSync(join(historiesDir, file), 'utf8');
      const keyIds = [...raw.matchAll(/"encryption-key-id":\s*"([^"]*)"/g)].map(([, id]) =>
        Buffer.from(id, 'base64').toString(),
      );

      expect(keyIds.length).toBeGreaterThanOrEqual(10);
      expect(new Set(keyIds)).toEqual(new Set(['retired-1']));
      expect(raw).not.toContain('rotation@example.com');
      expect(raw).not.toContain('rotation-user');
    });

    test('when the keys are "new,old", then it replays without a determinism error', async () => {
      const rotated = dataConverterFor({
        TEMPORAL_CODEC_KEYS: `${HISTORY_CODEC_KEYS},${RETIRED_HISTORY_CODEC_KEYS}`,
      });

      await expect(
        Worker.runReplayHistory({ workflowsPath, dataConverter: rotated }, loadHistory(file)),
      ).resolves.toBeUndefined();
    });

    test('when the old key was dropped, then it cannot be decoded and replay fails', async () => {
      const input =
        loadHistory(file).events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
      const onlyNew = payloadCodecFor({ TEMPORAL_CODEC_KEYS: HISTORY_CODEC_KEYS });
      const rotated = payloadCodecFor({
        TEMPORAL_CODEC_KEYS: `${HISTORY_CODEC_KEYS},${RETIRED_HISTORY_CODEC_KEYS}`,
      });

      // The order's input opens with the old key listed, and is refused without it...
      const [opened] = await rotated.decode(input);
      expect(Buffer.from(opened.data!).toString()).toContain('rotation@example.com');
      await expect(onlyNew.decode(input)).rejects.toThrow(
        'a payload is encrypted with key "retired-1", which TEMPORAL_CODEC_KEYS does not hold',
      );
      // ...so the workflow cannot be replayed (nor resumed by a worker) without it.
      await expect(
        Worker.runReplayHistory({ workflowsPath, dataConverter }, loadHistory(file)),
      ).rejects.toThrow(/Replay failed due workflow task failure/);
    });
  });
});
