import { resolve } from 'node:path';
import { openLedger, type Ledger } from '../ledger';
import { createPayments, createStripeClient, type Payments } from '../payments';
import {
  createProvisioningClients,
  type ProvisioningClients,
} from '../provisioning/provisioning-clients';
import { ConfigError, type Config } from '../config';

/** The services activities and the API use, built once per process from the config. */
export interface Services {
  ledger: Ledger;
  payments: Payments;
  provisioning: ProvisioningClients;
  close(): Promise<void>;
}

export async function openServices(config: Config): Promise<Services> {
  const stripeKey = required(config.STRIPE_SECRET_KEY, 'STRIPE_SECRET_KEY');
  const provisioning = createProvisioningClients({
    calendarSync: {
      baseUrl: required(config.CALENDAR_SYNC_URL, 'CALENDAR_SYNC_URL'),
      token: required(config.CALENDAR_SYNC_TOKEN, 'CALENDAR_SYNC_TOKEN'),
    },
    cep: {
      baseUrl: required(config.CEP_URL, 'CEP_URL'),
      token: required(config.CEP_TOKEN, 'CEP_TOKEN'),
    },
  });
  const payments = createPayments({
    stripe: createStripeClient({
      secretKey: stripeKey,
      baseUrl: config.STRIPE_API_BASE,
      timeoutMs: config.STRIPE_TIMEOUT_MS,
    }),
  });
  const ledger = await openLedgerFor(config);
  return { ledger, payments, provisioning, close: () => ledger.close() };
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) {
    throw new ConfigError(`${name} is not set (run \`npm start\` to use the local services)`);
  }
  return value;
}

/** The ledger the config names: PostgreSQL at DATABASE_URL, or PGlite in PGLITE_DATA_DIR. */
export function openLedgerFor(config: Config): Promise<Ledger> {
  const graceMs = config.DUNNING_GRACE_DAYS * 24 * 60 * 60 * 1000;
  if (config.DATABASE_URL) {
    return openLedger({
      databaseUrl: config.DATABASE_URL,
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
      graceMs,
    });
  }
  // PGlite's own name for a database that lives in memory only.
  if (config.PGLITE_DATA_DIR === 'memory://') return openLedger({ graceMs });
  return openLedger({ dataDir: resolve(config.PGLITE_DATA_DIR), graceMs });
}
