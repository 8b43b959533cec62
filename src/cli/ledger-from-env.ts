import type { Ledger } from '../ledger';
import { loadConfig } from '../config';
import { openLedgerFor } from '../runtime/services';
import { UsageError } from './command';

/** The ledger of DATABASE_URL, or the local PGlite data directory; bad config is a usage error. */
export async function openLedgerFromEnv(): Promise<Ledger> {
  let config;
  try {
    config = loadConfig();
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return openLedgerFor(config);
}
