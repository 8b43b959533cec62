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
  /** The Temporal UI, for the ops console's links to an order's workflow. */
  TEMPORAL_UI_URL: optionalUrl,

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
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

  /** Structured JSON logs (pino) on stdout at this level and above. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  ORDER_STEP_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  ORDER_STEP_INITIAL_INTERVAL_MS: ms.default(1000),
  ORDER_STEP_TIMEOUT_MS: ms.default(30_000),
  ORDER_AUTHENTICATION_TIMEOUT_MS: ms.default(30 * 60 * 1000),
  ORDER_ATTENTION_DEADLINE_MS: ms.default(72 * 60 * 60 * 1000),

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
  /** The scheduled reconciliation: how often, and how far back the orders it compares changed. */
  RECONCILE_INTERVAL: duration.default(24 * 60 * 60 * 1000),
  RECONCILE_WINDOW: duration.default(3 * 24 * 60 * 60 * 1000),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}
