import { z } from 'zod';
import { subscribersSchema } from './events/subscribers';

/**
 * All configuration, parsed once at start-up from the environment. A bad value fails
 * fast with the variable's name. Unset service addresses mean "run the local one":
 * `provisioner dev` (npm start) starts a Temporal dev server, the Stripe emulator and
 * the provisioning simulators for whatever is not configured. See .env.example.
 */
const optionalUrl = z.url().optional();
const ms = z.coerce.number().int().positive();
const days = z.coerce.number().int().min(0).max(366);
const DURATION_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** `30m`, `1h`, `1d`: a schedule's interval, in milliseconds. */
const duration = z
  .string()
  .regex(/^[1-9][0-9]*[smhd]$/, 'must be a number and a unit s, m, h or d, e.g. 1h')
  .transform((text) => {
    const unit = text.slice(-1) as keyof typeof DURATION_UNITS_MS;
    return Number(text.slice(0, -1)) * DURATION_UNITS_MS[unit];
  });
/** `1,3,5,7`: days after the first decline, increasing. */
const dayList = z
  .string()
  .regex(/^\s*[0-9]+(\s*,\s*[0-9]+)*\s*$/, 'must be comma-separated whole days, e.g. 1,3,5,7')
  .transform((text) => text.split(',').map((part) => Number(part.trim())))
  .refine((list) => list.every((day, i) => i === 0 || day > list[i - 1]), 'must increase');

export const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('provisioner'),
  /**
   * A secured cluster or Temporal Cloud (src/runtime/temporal-connection.ts): TLS, with a
   * client certificate for mTLS (CERT and KEY, each a file path or the PEM itself), a CA
   * for a private server certificate, the name the server's certificate carries, and an
   * API key sent as `Authorization: Bearer`. TLS is on when any of them is set, unless
   * TEMPORAL_TLS=false (an API key to a plaintext server).
   */
  TEMPORAL_TLS: z
    .enum(['true', 'false'], 'must be true or false')
    .transform((value) => value === 'true')
    .optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** The Temporal UI, for the ops console's links to an order's workflow. */
  TEMPORAL_UI_URL: optionalUrl,

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** Off for a pooler that cannot keep a client's prepared statements (src/ledger/postgres-db.ts). */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['true', 'false'], 'must be true or false')
    .default('true')
    .transform((value) => value === 'true'),
  PGLITE_DATA_DIR: z.string().min(1).default('.provisioner/pglite'),

  STRIPE_SECRET_KEY: z.string().startsWith('sk_').optional(),
  /** Where the Stripe API is, when it is not Stripe itself (the local emulator). */
  STRIPE_API_BASE: optionalUrl,
  /** One Stripe request's time limit; an activity attempt's (ORDER_STEP_TIMEOUT_MS) should be longer. */
  STRIPE_TIMEOUT_MS: ms.default(20_000),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),

  CALENDAR_SYNC_URL: optionalUrl,
  CALENDAR_SYNC_TOKEN: z.string().min(1).optional(),
  CEP_URL: optionalUrl,
  CEP_TOKEN: z.string().min(1).optional(),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** `NAME:ROLE:TENANTS:KEY,...`; parsed by src/api/api-keys.ts, checked at start-up. */
  API_KEYS: z.string().optional(),

  /** `id:base64key,...` AES-256 keys of the payload codec; the first encrypts, all decrypt. */
  TEMPORAL_CODEC_KEYS: z.string().optional(),
  /** The Temporal UI's origin (scheme://host:port), allowed to call the codec endpoints. */
  TEMPORAL_UI_ORIGIN: z
    .url()
    .refine(
      (url) => new URL(url).origin === url,
      'must be an origin such as https://temporal.example.com',
    )
    .optional(),

  /**
   * The worker's Prometheus endpoint (`GET /metrics`: the SDK's worker metrics, the
   * business counters and the process's). Unset: no listener, no metrics collected by
   * Temporal's Core. See src/telemetry/metrics.ts.
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),

  /**
   * OpenTelemetry tracing, by the standard variables (src/telemetry/tracing.ts): on when an
   * exporter is named or an OTLP endpoint is set, off otherwise. The OTLP exporter reads
   * the rest of its OTEL_EXPORTER_OTLP_* variables (headers, timeout) itself.
   */
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .literal('http/protobuf', { error: 'only http/protobuf is supported' })
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),

  /** Structured JSON logs (pino) on stdout at this level and above. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  ORDER_STEP_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  ORDER_STEP_INITIAL_INTERVAL_MS: ms.default(1000),
  ORDER_STEP_TIMEOUT_MS: ms.default(30_000),
  ORDER_AUTHENTICATION_TIMEOUT_MS: ms.default(30 * 60 * 1000),
  ORDER_ATTENTION_DEADLINE_MS: ms.default(72 * 60 * 60 * 1000),

  /**
   * The worker's tuning. The defaults fit a 2-core machine running the worker beside the
   * API and the database: activities wait on I/O (Stripe, the ledger), so many run at
   * once; a workflow task uses the CPU, but an order's task also holds its slot while the
   * local activities it runs wait on Stripe and the ledger, so twice as many slots as
   * pure CPU work would want; the sticky cache keeps running orders' state so a task does
   * not replay their history.
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(32),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(32),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1_000).default(20),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  /**
   * Concurrent long polls for workflow tasks (at least 2, at most the concurrent tasks);
   * unset, as many as the concurrent tasks up to 10 (workerTuningOf). The SDK gives a
   * fifth of them to the task queue every workflow's first task comes from, the rest to
   * the worker's sticky queue: with 4 there was one, and a new order's first task often
   * found it busy and was written to the server's task store before it was handed out.
   */
  WORKER_WORKFLOW_POLLERS: z.coerce.number().int().min(2).max(1_000).optional(),
  /** Concurrent long polls for activity tasks (at most the concurrent activities). */
  WORKER_ACTIVITY_POLLERS: z.coerce.number().int().min(1).max(1_000).default(4),

  /** JSON array of `{ name, url, secret }`: where license events are delivered. */
  EVENT_WEBHOOKS: subscribersSchema.default([]),
  EVENT_RELAY_INTERVAL_MS: ms.default(1000),
  EVENT_RELAY_RETRY_BASE_MS: ms.default(1000),
  EVENT_RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(15),
  /** How long checkout and ops decisions wait for the workflow before answering 202. */
  CHECKOUT_ANSWER_TIMEOUT_MS: ms.default(10_000),
  /** Renewals: dunning after a declined charge, and the sweeps that start renewals. */
  DUNNING_RETRY_DAYS: dayList.default([1, 3, 5, 7]),
  DUNNING_GRACE_DAYS: days.default(7),
  SUSPENDED_DAYS_BEFORE_END: days.default(30),
  RENEWAL_SWEEP_INTERVAL: duration.default(60 * 60 * 1000),
  RENEWAL_SWEEP_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  RENEWAL_SWEEP_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * The API's in-memory entitlement answers: at most this many users (about 6 KiB each),
   * and how often the versions of cached tenants are read. The poll stays under the 1 s
   * bound within which a committed revocation stops being served.
   */
  ENTITLEMENT_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).max(10_000_000).default(200_000),
  ENTITLEMENT_CACHE_POLL_MS: z.coerce.number().int().min(50).max(900).default(200),
  /** The scheduled reconciliation: how often, and how far back the orders it compares changed. */
  RECONCILE_INTERVAL: duration.default(24 * 60 * 60 * 1000),
  RECONCILE_WINDOW: duration.default(3 * 24 * 60 * 60 * 1000),
});

export type Config = z.infer<typeof configSchema>;

/** Limits that depend on each other, checked with the variables' names. */
const checkedConfigSchema = configSchema.superRefine((config, ctx) => {
  if (
    config.WORKER_WORKFLOW_POLLERS !== undefined &&
    config.WORKER_WORKFLOW_POLLERS > config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['WORKER_WORKFLOW_POLLERS'],
      message: `must not exceed WORKER_MAX_CONCURRENT_WORKFLOW_TASKS (${config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS})`,
    });
  }
  if (config.WORKER_ACTIVITY_POLLERS > config.WORKER_MAX_CONCURRENT_ACTIVITIES) {
    ctx.addIssue({
      code: 'custom',
      path: ['WORKER_ACTIVITY_POLLERS'],
      message: `must not exceed WORKER_MAX_CONCURRENT_ACTIVITIES (${config.WORKER_MAX_CONCURRENT_ACTIVITIES})`,
    });
  }
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = checkedConfigSchema.safeParse(env);
  const problems = result.success
    ? temporalTlsProblems(result.data)
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

/**
 * Half a TLS set-up is refused at start-up rather than found at the first connection: a
 * certificate needs its key and a key its certificate, and TLS switched off leaves
 * nothing for it to use.
 */
export function temporalTlsProblems(
  config: Pick<
    Config,
    | 'TEMPORAL_TLS'
    | 'TEMPORAL_TLS_CERT'
    | 'TEMPORAL_TLS_KEY'
    | 'TEMPORAL_TLS_CA'
    | 'TEMPORAL_TLS_SERVER_NAME'
  >,
): string[] {
  const problems: string[] = [];
  if (config.TEMPORAL_TLS_CERT && !config.TEMPORAL_TLS_KEY)
    problems.push(
      "TEMPORAL_TLS_KEY: required with TEMPORAL_TLS_CERT (the client certificate's key)",
    );
  if (config.TEMPORAL_TLS_KEY && !config.TEMPORAL_TLS_CERT)
    problems.push('TEMPORAL_TLS_CERT: required with TEMPORAL_TLS_KEY (the client certificate)');
  if (config.TEMPORAL_TLS === false) {
    const tlsOnly = [
      'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_KEY',
      'TEMPORAL_TLS_CA',
      'TEMPORAL_TLS_SERVER_NAME',
    ] as const;
    for (const name of tlsOnly.filter((name) => config[name] !== undefined))
      problems.push(`TEMPORAL_TLS: is false, but ${name} needs TLS`);
  }
  return problems;
}
