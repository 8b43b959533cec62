import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { dataConverterFor } from '../../src/runtime/temporal';
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
});
