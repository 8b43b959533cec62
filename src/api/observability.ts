import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { z } from 'zod';
import {
  exposition,
  httpMetrics,
  METRICS_CONTENT_TYPE,
  processMetrics,
} from '../telemetry/metrics';
import { currentTracing } from '../telemetry/tracing';

/** Requests that matched no route share one label, so unknown URLs cannot grow the series. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * The API's metrics and traces. Every answered request is counted and timed by its route
 * pattern (`/v1/orders/:orderId`, never the URL), method and status class, and
 * `GET /metrics` (public, as health checks are) serves them with the process's metrics
 * in Prometheus's text format. With tracing on (src/telemetry/tracing.ts), @fastify/otel
 * gives each request a span, continuing a caller's `traceparent`, that is current while
 * its route runs: the Temporal client's calls, and so the workflow and its activities,
 * are its children.
 */
export function installObservability(app: FastifyInstance): void {
  const registry = new Registry();
  const http = httpMetrics(registry);
  app.addHook('onResponse', async (request, reply) => {
    http.observe(
      {
        route: request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE),
        method: request.method,
        statusCode: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });
  void app.register(async (metricsRoute) => {
    metricsRoute.get(
      '/metrics',
      {
        config: { access: 'public' },
        schema: {
          summary: "The API process's Prometheus metrics",
          tags: ['health'],
          response: {
            200: {
              description:
                'Prometheus text format: HTTP requests by route, method and status class, and process metrics.',
              content: { 'text/plain': { schema: z.string() } },
            },
          },
        },
      },
      async (_request, reply) => {
        const text = await exposition([processMetrics(), registry]);
        return reply.type(METRICS_CONTENT_TYPE).send(text);
      },
    );
  });

  if (currentTracing()) {
    const instrumentation = new FastifyOtelInstrumentation({
      // Scrapes every few seconds would crowd out the traces worth reading.
      ignorePaths: ({ url }) => url === '/metrics' || url === '/healthz',
    });
    void app.register(instrumentation.plugin());
  }
}
