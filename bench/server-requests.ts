/**
 * What the Temporal server asked of its database for a bench's work, from its own
 * Prometheus metrics (`persistence_requests`, by operation), per unit of work. These are
 * the requests an order causes, not the ones the server makes on its own clock (queue
 * reads, cluster metadata), so the two halves of a bench compare by them: a task-queue
 * write is a task that found no poller waiting, which the halves should not differ in.
 */
const SHOWN: readonly (readonly [operation: string, label: string])[] = [
  ['CreateWorkflowExecution', 'starts'],
  ['UpdateWorkflowExecution', 'execution updates'],
  ['ReadHistoryBranch', 'history reads'],
  ['CreateTasks', 'task-queue writes'],
];

/**
 * The server updates the counters it serves about once a second: a reading taken at once
 * after the last order would miss that order's last requests, and give them to the next
 * reading.
 */
const REPORTING_MS = 2_000;
const settled = () => new Promise((resolve) => setTimeout(resolve, REPORTING_MS));

const REQUESTS = /^persistence_requests\{(.*)\} (\S+)$/;

/** Requests by operation, summed over the metric's other labels; undefined when unreadable. */
async function persistenceRequests(metricsUrl: string): Promise<Map<string, number> | undefined> {
  try {
    const response = await fetch(metricsUrl);
    if (!response.ok) return undefined;
    const counts = new Map<string, number>();
    for (const line of (await response.text()).split('\n')) {
      const match = REQUESTS.exec(line);
      const operation = match && /operation="([^"]+)"/.exec(match[1])?.[1];
      if (!match || !operation) continue;
      counts.set(operation, (counts.get(operation) ?? 0) + Number(match[2]));
    }
    return counts;
  } catch {
    return undefined;
  }
}

/**
 * Starts counting; the function it returns gives the requests per unit of work since,
 * as one printable line (n/a when the server's metrics could not be read).
 */
export async function serverRequestMeter(
  metricsUrl: string,
): Promise<(units: number, unit: string) => Promise<string>> {
  await settled();
  const before = await persistenceRequests(metricsUrl);
  return async (units, unit) => {
    await settled();
    const after = await persistenceRequests(metricsUrl);
    const label = `Temporal's database requests per ${unit}:`;
    if (!before || !after) return `${label} n/a (${metricsUrl} unreadable)`;
    const per = (operation: string) =>
      ((after.get(operation) ?? 0) - (before.get(operation) ?? 0)) / units;
    return `${label} ${SHOWN.map(([operation, name]) => `${name} ${per(operation).toFixed(2)}`).join(', ')}`;
  };
}
