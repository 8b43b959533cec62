import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { BaselineActivities } from './renewal-activities';

/**
 * The renewal benchmark's baseline: the sweep's and the renewal's shape (a page read,
 * a page of starts, continue-as-new; three activities per item) with activities that do
 * nothing, so the ratio shows what the real work costs over Temporal's own.
 */
const acts = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

export async function noopSweepWorkflow(input: {
  total: number;
  pageSize: number;
  concurrency: number;
  offset?: number;
}): Promise<number> {
  const offset = input.offset ?? 0;
  const ids = await acts.noopPage({ offset, limit: input.pageSize, total: input.total });
  await acts.noopStart({ ids, concurrency: input.concurrency });
  if (offset + ids.length < input.total) {
    await continueAsNew<typeof noopSweepWorkflow>({ ...input, offset: offset + ids.length });
  }
  return offset + ids.length;
}

export async function noopRenewalWorkflow(id: string): Promise<string> {
  await acts.noopPlan(id);
  await acts.noopCharge(id);
  await acts.noopRecord(id);
  return id;
}
