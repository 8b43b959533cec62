import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { pino, stdSerializers, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// A PaymentIntent's client secret: pi_<id>_secret_<secret>.
const CLIENT_SECRET = /\bpi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+/g;
const BEARER = /\bBearer\s+\S+/gi;

/** Personal data and secrets out of any text a log line carries (messages, causes). */
export function scrub(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(CLIENT_SECRET, '[client-secret]')
    .replace(BEARER, 'Bearer [redacted]');
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  // Errors are left whole for the `err` serializer, which scrubs what it keeps.
  if (Object.prototype.toString.call(value) === '[object Error]') return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, scrubDeep(item, depth + 1)]),
  );
}

/**
 * The process's structured JSON logger (pino): the API's request logs and the worker's
 * SDK logs go through it. Known places of secrets are removed by path, and every string
 * is scrubbed of emails, client secrets and bearer tokens, since a cause's message can
 * quote anything.
 */
export function createLogger(
  options: { level: LevelWithSilent; service: string },
  destination?: NodeJS.WritableStream,
): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["stripe-signature"]',
          'headers.authorization',
          '*.clientSecret',
          'clientSecret',
          '*.email',
          'email',
          'customer',
          '*.customer',
        ],
        censor: '[redacted]',
      },
      serializers: {
        err: (error: Error) =>
          scrubDeep(stdSerializers.err(error)) as ReturnType<typeof stdSerializers.err>,
      },
      formatters: { log: (object) => scrubDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination as Parameters<typeof pino>[1],
  );
}

const SDK_LEVELS: Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The Temporal SDK's Logger over pino, for Runtime.install (worker and its Core). */
export function sdkLoggerOver(logger: Logger): SdkLogger {
  const log = (level: SdkLogLevel, message: string, meta?: LogMetadata) => {
    logger[SDK_LEVELS[level]]({ temporal: meta }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
