import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { assertSecretsFit } from '../../../src/runtime/secret-rules';

const strong = (n: number) => `${n}`.padEnd(40, 'x');
const GOOD_KEYS = `ops-team:ops:*:${strong(1)},acme-shop:checkout:acme:${strong(2)}`;

/** A production API's environment against real Stripe, which each test spoils once. */
function apiEnv(overrides: Record<string, string | undefined> = {}) {
  return loadConfig({
    API_KEYS: GOOD_KEYS,
    STRIPE_SECRET_KEY: 'sk_live_abc',
    STRIPE_WEBHOOK_SECRET: 'whsec_abc',
    TEMPORAL_CODEC_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    ...overrides,
  });
}

const startApi =
  (env: ReturnType<typeof apiEnv>, local = false) =>
  () =>
    assertSecretsFit(env, { service: 'api', local });

describe('secrets checked at start-up', () => {
  it('when every key is long and named and Stripe has its webhook secret, then the API may start', () => {
    expect(startApi(apiEnv())).not.toThrow();
  });

  it('when a key is shorter than 32 characters, then the API refuses to start naming the entry', () => {
    const env = apiEnv({ API_KEYS: `ops-team:ops:*:${strong(1)},acme-shop:checkout:acme:short` });

    expect(startApi(env)).toThrow(
      'API_KEYS (entry 2, acme-shop): the key must be at least 32 characters',
    );
    expect(startApi(env)).not.toThrow(/short/);
  });

  it('when keys use the old KEY:ROLE form, then only npm start accepts them', () => {
    const env = apiEnv({ API_KEYS: 'dev-ops:ops' });

    expect(startApi(env)).toThrow(
      'API_KEYS (entry 1, KEY:ROLE): the KEY:ROLE form is for npm start only',
    );
    expect(startApi(env, true)).not.toThrow();
  });

  it('when API_KEYS is unset, then the API refuses to start naming it', () => {
    expect(startApi(apiEnv({ API_KEYS: undefined }))).toThrow(/API_KEYS: must list at least one/);
  });

  it('when real Stripe is configured without a webhook secret, then the API refuses naming STRIPE_WEBHOOK_SECRET', () => {
    const env = apiEnv({ STRIPE_WEBHOOK_SECRET: undefined });

    expect(startApi(env)).toThrow(/STRIPE_WEBHOOK_SECRET: is required with STRIPE_SECRET_KEY/);
    // The worker never verifies webhooks; the local emulator (STRIPE_API_BASE) sets its own.
    expect(() => assertSecretsFit(env, { service: 'worker' })).not.toThrow();
    expect(
      startApi(apiEnv({ STRIPE_WEBHOOK_SECRET: undefined, STRIPE_API_BASE: 'http://127.0.0.1:1' })),
    ).not.toThrow();
  });

  it('when TEMPORAL_CODEC_KEYS is unset, then API and worker refuse outside npm start', () => {
    const env = apiEnv({ TEMPORAL_CODEC_KEYS: undefined });

    for (const service of ['api', 'worker'] as const) {
      expect(() => assertSecretsFit(env, { service })).toThrow(/TEMPORAL_CODEC_KEYS: is required/);
      expect(() => assertSecretsFit(env, { service, local: true })).not.toThrow();
    }
  });

  it('when any secret of .env.example is left as it is, then API and worker refuse naming each variable', () => {
    const example = Object.fromEntries(
      readFileSync(join(__dirname, '../../../.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const env = loadConfig(example);
    const secrets = [
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'CALENDAR_SYNC_TOKEN',
      'CEP_TOKEN',
    ];

    for (const service of ['api', 'worker'] as const) {
      for (const local of [false, true]) {
        const start = () => assertSecretsFit(env, { service, local });
        for (const variable of service === 'api' ? [...secrets, 'API_KEYS'] : secrets) {
          expect(start).toThrow(`${variable}: still holds the placeholder of .env.example`);
        }
      }
    }
  });
});
