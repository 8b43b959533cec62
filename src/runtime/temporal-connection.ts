import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, temporalTlsProblems, type Config } from '../config';

/** Where `npm start` runs its Temporal dev server, and so the default for every command. */
export const LOCAL_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export type TemporalConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/**
 * What every connection to Temporal is opened with, the client's (`Connection`) and the
 * worker's (`NativeConnection`) alike: the address, TLS and the API key. Both SDK
 * connections take this same shape.
 */
export interface TemporalConnectionOptions {
  address: string;
  /** `false`: plaintext. Otherwise TLS, with a client certificate when one is configured. */
  tls: TLSConfig | false;
  apiKey?: string;
}

export function temporalAddress(config: Pick<Config, 'TEMPORAL_ADDRESS'>): string {
  return config.TEMPORAL_ADDRESS ?? LOCAL_TEMPORAL_ADDRESS;
}

/**
 * Reads the certificates (a file path or the PEM itself) once per connection, so a
 * certificate renewed on disk is used by the next process or reconnect. A value that is
 * neither a readable file nor PEM stops the process naming the variable.
 */
export function temporalConnectionOptions(
  config: TemporalConnectionConfig,
): TemporalConnectionOptions {
  const problems = temporalTlsProblems(config);
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const apiKey = config.TEMPORAL_API_KEY;
  const address = temporalAddress(config);
  const wantsTls =
    config.TEMPORAL_TLS ??
    [
      config.TEMPORAL_TLS_CERT,
      config.TEMPORAL_TLS_CA,
      config.TEMPORAL_TLS_SERVER_NAME,
      config.TEMPORAL_API_KEY,
    ].some((value) => value !== undefined);
  if (!wantsTls) return { address, tls: false, ...(apiKey && { apiKey }) };

  const tls: TLSConfig = {};
  if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
  if (config.TEMPORAL_TLS_CA) {
    tls.serverRootCACertificate = pem('TEMPORAL_TLS_CA', config.TEMPORAL_TLS_CA);
  }
  if (config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY) {
    tls.clientCertPair = {
      crt: pem('TEMPORAL_TLS_CERT', config.TEMPORAL_TLS_CERT),
      key: pem('TEMPORAL_TLS_KEY', config.TEMPORAL_TLS_KEY),
    };
  }
  return { address, tls, ...(apiKey && { apiKey }) };
}

/** The PEM text of a variable: the value itself when it is PEM, else the file it names. */
function pem(variable: string, value: string): Buffer {
  let text = value;
  if (!value.trimStart().startsWith('-----BEGIN ')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError(
        `invalid configuration:\n  ${variable}: must be PEM or a readable PEM file (${reason})`,
      );
    }
  }
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
    throw new ConfigError(
      `invalid configuration:\n  ${variable}: ${text === value ? 'is' : `the file ${value} is`} not PEM (no -----BEGIN …----- line)`,
    );
  }
  return Buffer.from(text);
}

/**
 * A connection that failed, said plainly: where to, how (TLS, client certificate, API
 * key), and the server's or the handshake's own words, so a refused certificate reads as
 * one and not as a bare gRPC status.
 */
export function connectionFailure(options: TemporalConnectionOptions, error: unknown): Error {
  const cause = error instanceof Error ? error.message : String(error);
  const how =
    options.tls === false
      ? 'without TLS'
      : options.tls.clientCertPair
        ? 'over TLS with the client certificate of TEMPORAL_TLS_CERT'
        : 'over TLS without a client certificate (TEMPORAL_TLS_CERT unset)';
  const key = options.apiKey ? ' and TEMPORAL_API_KEY' : '';
  return new Error(`cannot connect to Temporal at ${options.address} ${how}${key}: ${cause}`, {
    cause: error,
  });
}
