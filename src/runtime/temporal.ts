import { Client, Connection } from '@temporalio/client';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { ConfigError, type Config } from '../config';
import { parseCodecKeys } from './codec-keys';
import { tracingClientInterceptors } from '../telemetry/tracing';
import { createEncryptionCodec } from './encryption-codec';
import { connectionFailure, temporalConnectionOptions } from './temporal-connection';
import type { OrderPolicy } from '../../workflows/order-types';
import type { StepPolicy } from '../../workflows/renewal-types';
import type { SubscriptionPolicy } from '../../workflows/subscription-types';

export { LOCAL_TEMPORAL_ADDRESS, temporalAddress } from './temporal-connection';

/**
 * How every process (worker, API, CLI, replay) reads and writes Temporal payloads: the
 * AES-256-GCM codec with the keys of TEMPORAL_CODEC_KEYS, and failure texts encoded so
 * the codec covers them too. Without keys nothing can be encrypted, and the codec
 * refuses to write (it still reads unencrypted payloads).
 */
export function dataConverterFor(config: Pick<Config, 'TEMPORAL_CODEC_KEYS'>): DataConverter {
  return {
    payloadCodecs: [payloadCodecFor(config)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}

/** The AES-256-GCM payload codec over the keys of TEMPORAL_CODEC_KEYS. */
export function payloadCodecFor(config: Pick<Config, 'TEMPORAL_CODEC_KEYS'>): PayloadCodec {
  try {
    const keys = config.TEMPORAL_CODEC_KEYS ? parseCodecKeys(config.TEMPORAL_CODEC_KEYS) : [];
    return createEncryptionCodec(keys);
  } catch (error: unknown) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

/** A client over TLS and the API key as configured, reading payloads with the codec. */
export async function connectClient(config: Config): Promise<Client> {
  const options = temporalConnectionOptions(config);
  const connection = await Connection.connect(options).catch((error: unknown) => {
    throw connectionFailure(options, error);
  });
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(config),
    // With tracing on, each call starts a span and carries it to the workflow.
    interceptors: tracingClientInterceptors(),
  });
}

/** Retry and deadline tuning that checkout stamps on each new order. */
export function orderPolicy(config: Config): OrderPolicy {
  return {
    stepAttempts: config.ORDER_STEP_ATTEMPTS,
    stepInitialIntervalMs: config.ORDER_STEP_INITIAL_INTERVAL_MS,
    stepTimeoutMs: config.ORDER_STEP_TIMEOUT_MS,
    authenticationTimeoutMs: config.ORDER_AUTHENTICATION_TIMEOUT_MS,
    attentionDeadlineMs: config.ORDER_ATTENTION_DEADLINE_MS,
  };
}

/** Dunning tuning that each renewal is started with. */
export function subscriptionPolicy(config: Config): SubscriptionPolicy {
  return {
    dunningRetryDays: config.DUNNING_RETRY_DAYS,
    graceDays: config.DUNNING_GRACE_DAYS,
    suspendedDaysBeforeEnd: config.SUSPENDED_DAYS_BEFORE_END,
  };
}

/** A renewal's steps are tried, and wait for ops, as an order's. */
export function renewalStepPolicy(config: Config): StepPolicy {
  return {
    stepAttempts: config.ORDER_STEP_ATTEMPTS,
    stepInitialIntervalMs: config.ORDER_STEP_INITIAL_INTERVAL_MS,
    stepTimeoutMs: config.ORDER_STEP_TIMEOUT_MS,
    attentionDeadlineMs: config.ORDER_ATTENTION_DEADLINE_MS,
  };
}
