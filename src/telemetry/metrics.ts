import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics (prom-client). Each process has its process metrics (CPU, memory,
 * event loop, GC: `process_*`, `nodejs_*`); the API adds its HTTP metrics
 * (src/api/observability.ts), the worker its business counters (src/worker/
 * business-metrics.ts) and Temporal Core's worker metrics (`temporal_*`). One `/metrics`
 * per process answers all of its metrics.
 */

let processRegistry: Registry | undefined;

/** The process's own metrics, collected once per process whatever serves them. */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The Prometheus text format every `/metrics` answers in. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The exposition of several registries, one after another (their names do not overlap). */
export async function exposition(registries: Registry[]): Promise<string> {
  const texts = await Promise.all(registries.map((registry) => registry.metrics()));
  return texts.map((text) => (text.endsWith('\n') ? text : `${text}\n`)).join('');
}

export interface HttpMetrics {
  /** One answered request: the route's pattern (not its URL), method and status. */
  observe(labels: { route: string; method: string; statusCode: number }, seconds: number): void;
}

/** Requests by route pattern, method and status class, counted and timed. */
export function httpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ['route', 'method', 'status_class'] as const;
  const requests = new Counter({
    name: 'provisioner_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status class (2xx, 4xx...)',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'provisioner_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to answering it, by route pattern, method and status class',
    labelNames,
    // Reads answer in milliseconds; checkout waits up to CHECKOUT_ANSWER_TIMEOUT_MS (10 s).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    observe({ route, method, statusCode }, seconds) {
      const labels = { route, method, status_class: `${Math.floor(statusCode / 100)}xx` };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/** What the worker counts as it happens (see src/worker/business-metrics.ts). */
export interface BusinessMetrics {
  orderFinished(state: string): void;
  capture(kind: PaymentKind): void;
  refund(kind: PaymentKind): void;
  compensation(step: string): void;
  renewal(outcome: string): void;
}

export type PaymentKind = 'order' | 'change' | 'renewal';

/** The workflows that park for ops, as the needs-attention gauge labels them. */
export const ATTENDED_WORKFLOW_TYPES = [
  'purchaseWorkflow',
  'subscriptionChangeWorkflow',
  'renewalWorkflow',
] as const;

/**
 * The business counters of a worker, and the needs-attention gauge, which is read at
 * each scrape (`countNeedingAttention`, from Temporal's visibility, as the ops list
 * reads it): not one worker's memory but what waits for ops across every worker.
 */
export function businessMetrics(
  registry: Registry,
  countNeedingAttention: (workflowType: string) => Promise<number>,
): BusinessMetrics {
  const counter = (name: string, help: string, label: string) =>
    new Counter({ name, help, labelNames: [label], registers: [registry] });
  const orders = counter(
    'provisioner_orders_finished_total',
    'Orders that reached a final state (completed, declined, compensated), by state',
    'state',
  );
  const captures = counter(
    'provisioner_payment_captures_total',
    'Payments captured, by what was paid (order, change, renewal)',
    'kind',
  );
  const refunds = counter(
    'provisioner_payment_refunds_total',
    'Payments refunded, by what was refunded (order, change, renewal)',
    'kind',
  );
  const compensations = counter(
    'provisioner_compensations_total',
    "Compensation steps done (an order's undo steps, a renewal's refund), by step",
    'step',
  );
  const renewals = counter(
    'provisioner_renewals_total',
    'Renewal outcomes (renewed, past_due, suspended, ended), by outcome',
    'outcome',
  );
  const attentionReadFailures = new Counter({
    name: 'provisioner_needs_attention_read_failures_total',
    help: 'Scrapes at which Temporal visibility could not count the workflows waiting for ops',
    registers: [registry],
  });
  new Gauge({
    name: 'provisioner_workflows_needing_attention',
    help: 'Orders, subscription changes and renewals of this task queue waiting for an ops decision now, by workflow type',
    labelNames: ['workflow_type'],
    registers: [registry],
    async collect() {
      try {
        const counts = await Promise.all(ATTENDED_WORKFLOW_TYPES.map(countNeedingAttention));
        ATTENDED_WORKFLOW_TYPES.forEach((type, i) => this.set({ workflow_type: type }, counts[i]));
      } catch {
        // Visibility unreachable (or without the NeedsAttention search attribute): no
        // value rather than a stale one, and the rest of the scrape still answers.
        this.reset();
        attentionReadFailures.inc();
      }
    },
  });
  return {
    orderFinished: (state) => orders.inc({ state }),
    capture: (kind) => captures.inc({ kind }),
    refund: (kind) => refunds.inc({ kind }),
    compensation: (step) => compensations.inc({ step }),
    renewal: (outcome) => renewals.inc({ outcome }),
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's `GET /metrics`: its registries and, when the Temporal runtime exports
 * them (src/runtime/start-worker.ts), Core's worker metrics read from Core's own
 * Prometheus endpoint on the loopback, so one scrape target has both.
 */
export async function serveMetrics(options: {
  host: string;
  port: number;
  registries: Registry[];
  coreMetricsUrl?: string;
}): Promise<MetricsServer> {
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const [ours, core] = await Promise.all([
      exposition(options.registries),
      options.coreMetricsUrl ? coreMetrics(options.coreMetricsUrl) : '',
    ]);
    response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(ours + core);
  };
  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection must not hold the process open.
        server.closeAllConnections();
      }),
  };
}

/** Core's exposition; a comment saying why when it cannot be read (the scrape still answers). */
async function coreMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return `# Temporal Core metrics unavailable: ${reason.replace(/\s+/g, ' ')}\n`;
  }
}

/** A port free on the loopback now, for Core's exporter, which needs one named. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
