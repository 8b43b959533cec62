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
  /** How long licenses outlive a subscription's unpaid period end. */
  LICENSE_GRACE_DAYS: z.coerce.number().min(0).max(365).default(7),
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
