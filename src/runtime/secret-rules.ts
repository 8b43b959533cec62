import { parseApiKeyEntries } from '../api/api-keys';
import { ConfigError, type Config } from '../config';

/** Shorter keys are guessable enough to matter over a public endpoint. */
export const MIN_API_KEY_LENGTH = 32;

/** Variables that hold secrets: a placeholder left in any of them is refused. */
const SECRET_VARIABLES = [
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'CALENDAR_SYNC_TOKEN',
  'CEP_TOKEN',
  'API_KEYS',
  'TEMPORAL_CODEC_KEYS',
] as const satisfies readonly (keyof Config)[];

/** The placeholders of .env.example: `replace_me`, `replace-with-...`. */
const PLACEHOLDER = /replace[-_]?(me|with)/i;

export interface SecretRuleOptions {
  /** What starts: the API checks its keys and the webhook secret too. */
  service: 'api' | 'worker';
  /** `npm start`: it made the local secrets itself, so short or old-form keys are fine. */
  local?: boolean;
}

/**
 * The rules a process checks before it serves anything, each failing with the variable's
 * name: no placeholder secrets; outside `npm start`, a payload codec key, and API keys
 * of at least 32 characters in the named form; against real Stripe, the webhook signing secret (without it the
 * webhook route could not verify Stripe's events, and 3-D Secure orders would never resume).
 */
export function assertSecretsFit(config: Config, options: SecretRuleOptions): void {
  const problems: string[] = [];
  for (const variable of SECRET_VARIABLES) {
    const value = config[variable];
    if (value !== undefined && PLACEHOLDER.test(value)) {
      problems.push(`${variable}: still holds the placeholder of .env.example; set a real secret`);
    }
  }
  if (!options.local && !config.TEMPORAL_CODEC_KEYS) {
    problems.push(
      'TEMPORAL_CODEC_KEYS: is required (ID:BASE64KEY, openssl rand -base64 32): orders carry personal data into Temporal',
    );
  }
  if (options.service === 'api') {
    problems.push(...apiKeyProblems(config, options.local ?? false));
    const realStripe = config.STRIPE_SECRET_KEY !== undefined && !config.STRIPE_API_BASE;
    if (realStripe && !config.STRIPE_WEBHOOK_SECRET) {
      problems.push(
        "STRIPE_WEBHOOK_SECRET: is required with STRIPE_SECRET_KEY (the webhook endpoint's whsec_ signing secret)",
      );
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

function apiKeyProblems(config: Config, local: boolean): string[] {
  let entries;
  try {
    entries = parseApiKeyEntries(config.API_KEYS);
  } catch (error: unknown) {
    return [error instanceof Error ? error.message : String(error)];
  }
  if (local) return [];
  return entries.flatMap((entry, index) => {
    const where = `API_KEYS (entry ${index + 1}, ${entry.legacy ? 'KEY:ROLE' : entry.name})`;
    if (entry.legacy) {
      return [`${where}: the KEY:ROLE form is for npm start only; write NAME:ROLE:TENANTS:KEY`];
    }
    if (entry.secret.length < MIN_API_KEY_LENGTH) {
      return [
        `${where}: the key must be at least ${MIN_API_KEY_LENGTH} characters (openssl rand -hex 32)`,
      ];
    }
    return [];
  });
}
