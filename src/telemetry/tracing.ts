import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  type OpenTelemetryWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * OpenTelemetry tracing of one process: the HTTP request (@fastify/otel, src/api/
 * observability.ts), the Temporal client's calls, the workflow (its interceptor module,
 * spans leaving the sandbox through a sink) and each activity, so one checkout is one
 * trace from the request to the capture. Configured by the standard OTEL_* variables and
 * off when they name no exporter: then nothing here is loaded into a worker or client,
 * and the worker runs the workflow bundle without the tracing interceptor.
 */
export interface Tracing {
  readonly resource: Resource;
  readonly spanProcessor: SpanProcessor;
  /** Sends what is buffered and stops; the process's tracing is off afterwards. */
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** The tracing this process started, if any. */
export function currentTracing(): Tracing | undefined {
  return current;
}

type TracingConfig = Pick<
  Config,
  | 'OTEL_SDK_DISABLED'
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_SERVICE_NAME'
>;

/**
 * Which exporter the OTEL_* variables ask for: the one OTEL_TRACES_EXPORTER names, else
 * OTLP when an OTLP endpoint is set, else none (tracing off).
 */
export function tracesExporterOf(config: TracingConfig): 'otlp' | 'console' | undefined {
  if (config.OTEL_SDK_DISABLED === 'true' || config.OTEL_TRACES_EXPORTER === 'none') {
    return undefined;
  }
  if (config.OTEL_TRACES_EXPORTER) return config.OTEL_TRACES_EXPORTER;
  const endpoint = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_ENDPOINT;
  return endpoint ? 'otlp' : undefined;
}

export interface StartTracingOptions {
  /** `provisioner-api`, `provisioner-worker`: the service name unless OTEL_SERVICE_NAME says. */
  service: string;
  /** An exporter of the caller's instead of the configured one (tests: in memory). */
  exporter?: SpanExporter;
}

/**
 * Starts the process's tracing when the configuration asks for it (or an exporter is
 * given), once per process, before any Temporal client or worker is made. Returns it, or
 * undefined when tracing stays off.
 */
export function startTracing(
  config: TracingConfig,
  options: StartTracingOptions,
): Tracing | undefined {
  if (current) throw new Error('tracing is already started in this process');
  const kind = options.exporter ? undefined : tracesExporterOf(config);
  if (!options.exporter && !kind) return undefined;
  const resource = new Resource({ 'service.name': options.service }).merge(
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, which win over the default name.
    detectResourcesSync({ detectors: [envDetectorSync] }),
  );
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : kind === 'console'
      ? new SimpleSpanProcessor(new ConsoleSpanExporter())
      : // OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT are read by the exporter.
        new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator: a span
  // stays current across awaits, and an incoming `traceparent` continues its trace.
  provider.register();
  const tracing: Tracing = {
    resource,
    spanProcessor,
    async shutdown() {
      if (current === tracing) current = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  current = tracing;
  return tracing;
}

/** The client interceptor that starts a span per call and carries it in the headers. */
export function tracingClientInterceptors(): ClientInterceptors | undefined {
  if (!current) return undefined;
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** The workflow interceptor module, which the traced workflow bundle includes. */
export const TRACING_WORKFLOW_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface WorkerTracing {
  activityInterceptors: ActivityInterceptorsFactory[];
  sinks: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }>;
}

/**
 * What a worker adds when tracing is on: activity spans (children of the workflow's
 * span carried in the activity's headers) and the sink through which the workflow's
 * spans leave the sandbox to the process's span processor.
 */
export function workerTracing(): WorkerTracing | undefined {
  if (!current) return undefined;
  return {
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: makeWorkflowExporter(current.spanProcessor, current.resource) },
  };
}
