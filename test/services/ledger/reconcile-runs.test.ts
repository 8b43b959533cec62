import { ledgerEngines, uniqueId, useTestLedger } from './engines';

const drift = (orderId: string) => ({
  kind: 'captured-without-licenses',
  orderId,
  tenantId: 'tenant-a',
  subscriptionId: `sub-${orderId}`,
  detail: 'planted',
});

function run(runId: string, drifts = [drift('order-1')]) {
  return {
    runId,
    trigger: 'schedule' as const,
    since: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-04T00:00:00.000Z',
    finishedAt: '2026-01-04T00:00:02.000Z',
    checkedOrders: 7,
    drifts,
  };
}

describe.each(ledgerEngines())('reconcile runs on %s', (engine) => {
  const opened = useTestLedger(engine);

  it('when a run is recorded twice under its run id, then one row keeps the latest report with its drifts', async () => {
    const { ledger } = opened();
    const runId = uniqueId('reconcile');
    await ledger.recordReconcileRun(run(runId));
    const again = await ledger.recordReconcileRun(run(runId, [drift('order-1'), drift('order-2')]));

    const kept = await ledger.getReconcileRun(runId);
    expect(kept).toEqual(again);
    expect(kept).toMatchObject({ runId, trigger: 'schedule', checkedOrders: 7, driftCount: 2 });
    expect(kept!.drifts.map((d) => d.orderId)).toEqual(['order-1', 'order-2']);
    expect(kept!.drifts[0]).toMatchObject({ subscriptionId: 'sub-order-1', detail: 'planted' });
    expect(await ledger.getReconcileRun(kept!.id)).toEqual(kept);
    expect(await ledger.getReconcileRun('unknown-run')).toBeNull();
  });

  it('when runs are listed by pages, then they come newest first and every run once', async () => {
    const { ledger } = opened();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await ledger.recordReconcileRun(run(uniqueId('page')))).id);

    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await ledger.listReconcileRuns({ pageSize: 2, nextPageToken: token });
      seen.push(...page.runs.map((r) => r.id));
      token = page.nextPageToken;
    } while (token);

    const newestFive = seen.slice(0, 5);
    expect(newestFive).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('when a run finishes before it starts or a drift has no kind, then nothing is written and the field is named', async () => {
    const { ledger } = opened();
    const runId = uniqueId('bad');
    await expect(
      ledger.recordReconcileRun({ ...run(runId), finishedAt: '2026-01-03T00:00:00.000Z' }),
    ).rejects.toMatchObject({ code: 'LEDGER.INVALID_INPUT', field: 'finishedAt' });
    await expect(
      ledger.recordReconcileRun({ ...run(runId), drifts: [{ ...drift('o'), kind: '' }] }),
    ).rejects.toMatchObject({ code: 'LEDGER.INVALID_INPUT', field: 'drifts.0.kind' });
    expect(await ledger.getReconcileRun(runId)).toBeNull();
  });
});
