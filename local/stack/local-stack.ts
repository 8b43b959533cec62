import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig, type Config } from '../../src/config';
import { startStripeEmulator, type StripeEmulator } from '../stripe-emulator';
import {
  startProvisioningSimulators,
  type ProvisioningSimulators,
} from '../simulators/start-simulators';
import { openServices, type Services } from '../../src/runtime/services';
import { startApi, type RunningApi } from '../../src/runtime/start-api';
import { startWorker, type RunningWorker } from '../../src/runtime/start-worker';
import { connectClient, LOCAL_TEMPORAL_ADDRESS } from '../../src/runtime/temporal';
import { startDevServer } from '../binaries/servers';
import { SUBSCRIBED_EVENT_TYPES } from '../../src/payments';

/** Fixed local ports, so URLs printed once stay true; tests pass 0 for free ports. */
export const LOCAL_PORTS = {
  temporal: 7233,
  temporalUi: 8233,
  stripe: 12111,
  calendarSync: 4010,
  cep: 4011,
};
const LOCAL_PROVISIONING_TOKEN = 'local-provisioning-token';
const LOCAL_WEBHOOK_SECRET = 'whsec_local_provisioner';

/** Keys of every tenant, one per role, made afresh by each run that configures none. */
export interface GeneratedApiKeys {
  checkout: string;
  ops: string;
  read: string;
}

function generateApiKeys(): GeneratedApiKeys {
  const secret = (role: string) => `local-${role}-${randomBytes(24).toString('hex')}`;
  return { checkout: secret('checkout'), ops: secret('ops'), read: secret('read') };
}

/**
 * The payload codec key of this checkout when TEMPORAL_CODEC_KEYS is unset: made once
 * and kept in .provisioner/, because the dev server's history outlives a run and must
 * stay readable by the next one. Test stacks share it for the same reason (one dev
 * server lists every stack's orders).
 */
function localCodecKeys(): string {
  const file = resolve('.provisioner', 'codec-key');
  mkdirSync(dirname(file), { recursive: true });
  // Written aside, then linked into place: a process racing this one reads a whole key.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `local:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (error: unknown) {
    // Another run made it first: use theirs. (Not `instanceof Error`: fs errors come
    // from another realm under jest.)
    const code = typeof error === 'object' && error !== null && 'code' in error && error.code;
    if (code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft);
  }
  return readFileSync(file, 'utf8').trim();
}

const apiKeysConfig = (keys: GeneratedApiKeys) =>
  Object.entries(keys)
    .map(([role, key]) => `local-${role}:${role}:*:${key}`)
    .join(',');

export interface LocalStack {
  config: Config;
  services: Services;
  client: Client;
  worker?: RunningWorker;
  api: RunningApi;
  /** The keys the stack made because API_KEYS was unset; configured keys are never here. */
  generatedApiKeys?: GeneratedApiKeys;
  /** Present when the stack started them (nothing configured). */
  temporal?: TestWorkflowEnvironment;
  temporalUiUrl?: string;
  stripe?: StripeEmulator;
  simulators?: ProvisioningSimulators;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  env?: NodeJS.ProcessEnv;
  /** Free ports for everything the stack starts (tests), instead of LOCAL_PORTS. */
  ephemeralPorts?: boolean;
  log?: (line: string) => void;
  /** Run the worker in this process (default); tests of worker crashes run their own. */
  worker?: boolean;
}

/**
 * The whole product on one machine: whatever the environment does not configure is
 * started locally (a Temporal dev server, the Stripe emulator, the provisioning
 * simulators, PGlite), then the worker and the API run against it. Configured services
 * are used as they are. `npm start` and the integration tests both run this.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const port = (fixed: number) => (options.ephemeralPorts ? 0 : fixed);
  const base = loadConfig(options.env);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    let temporal: TestWorkflowEnvironment | undefined;
    let temporalAddress = base.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const dbFilename = resolve('.provisioner', 'temporal.sqlite');
      mkdirSync(dirname(dbFilename), { recursive: true });
      temporal = await startDevServer({
        port: options.ephemeralPorts ? undefined : LOCAL_PORTS.temporal,
        uiPort: options.ephemeralPorts ? undefined : LOCAL_PORTS.temporalUi,
        dbFilename: options.ephemeralPorts ? undefined : dbFilename,
        // The UI shows payloads decrypted through the API's codec server, which answers
        // an ops key: the console's sign-in cookie when the UI includes credentials.
        uiCodecEndpoint: options.ephemeralPorts
          ? undefined
          : `http://${base.API_HOST === '0.0.0.0' ? '127.0.0.1' : base.API_HOST}:${base.API_PORT}/codec`,
        log,
      });
      stops.push(() => temporal!.teardown());
      temporalAddress = temporal.address ?? LOCAL_TEMPORAL_ADDRESS;
    }

    let stripe: StripeEmulator | undefined;
    if (!base.STRIPE_SECRET_KEY) {
      stripe = await startStripeEmulator({ port: port(LOCAL_PORTS.stripe) });
      stops.push(() => stripe!.close());
    }

    let simulators: ProvisioningSimulators | undefined;
    if (!base.CALENDAR_SYNC_URL || !base.CEP_URL) {
      simulators = await startProvisioningSimulators({
        token: LOCAL_PROVISIONING_TOKEN,
        calendarSyncPort: port(LOCAL_PORTS.calendarSync),
        cepPort: port(LOCAL_PORTS.cep),
      });
      stops.push(() => simulators!.close());
    }

    const generatedApiKeys = base.API_KEYS ? undefined : generateApiKeys();
    const temporalUiUrl =
      temporal && !options.ephemeralPorts
        ? `http://127.0.0.1:${LOCAL_PORTS.temporalUi}`
        : base.TEMPORAL_UI_URL;
    const config: Config = {
      ...base,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_UI_URL: temporalUiUrl,
      API_KEYS: base.API_KEYS ?? apiKeysConfig(generatedApiKeys!),
      TEMPORAL_CODEC_KEYS: base.TEMPORAL_CODEC_KEYS ?? localCodecKeys(),
      TEMPORAL_UI_ORIGIN:
        base.TEMPORAL_UI_ORIGIN ??
        (temporal && !options.ephemeralPorts
          ? `http://127.0.0.1:${LOCAL_PORTS.temporalUi}`
          : undefined),
      API_PORT: options.ephemeralPorts ? 0 : base.API_PORT,
      ...(stripe && {
        STRIPE_SECRET_KEY: stripe.secretKey,
        STRIPE_API_BASE: stripe.url,
        STRIPE_WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET,
      }),
      ...(simulators &&
        !base.CALENDAR_SYNC_URL && {
          CALENDAR_SYNC_URL: simulators.calendarSync.url,
          CALENDAR_SYNC_TOKEN: LOCAL_PROVISIONING_TOKEN,
        }),
      ...(simulators &&
        !base.CEP_URL && {
          CEP_URL: simulators.cep.url,
          CEP_TOKEN: LOCAL_PROVISIONING_TOKEN,
        }),
    };

    const services = await openServices(config);
    stops.push(() => services.close());
    const worker =
      options.worker === false ? undefined : await startWorker(config, services, { local: true });
    if (worker) stops.push(() => worker.shutdown());
    const client = await connectClient(config);
    stops.push(() => client.connection.close());
    const api = await startApi(config, services, client, { local: true });
    stops.push(() => api.close());
    // The emulator learns where to deliver events once the API has a port.
    stripe?.webhooks.addEndpoint({
      url: `${api.url}/v1/webhooks/stripe`,
      secret: LOCAL_WEBHOOK_SECRET,
      // As a Stripe endpoint for provisioner is set up: only the events it acts on.
      enabledEvents: [...SUBSCRIBED_EVENT_TYPES],
    });

    return {
      config,
      services,
      client,
      worker,
      api,
      generatedApiKeys,
      temporal,
      temporalUiUrl,
      stripe,
      simulators,
      close: stopAll,
    };
  } catch (error: unknown) {
    await stopAll();
    throw error;
  }
}
