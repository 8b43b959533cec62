import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { OrderPolicy } from './order-types';

type StepTuning = Pick<OrderPolicy, 'stepAttempts' | 'stepInitialIntervalMs' | 'stepTimeoutMs'>;

/**
 * Named activity option presets. A forward step retries `stepAttempts` times and then
 * parks the order for ops; a compensation gets twice as many attempts before it parks,
 * because undoing is never given up on. Non-retryable failures (declines, invalid
 * input, conflicts) are classified by the activities and skip the retries.
 */
export function forwardStep(policy: StepTuning): ActivityOptions {
  return {
    startToCloseTimeout: policy.stepTimeoutMs,
    retry: {
      maximumAttempts: policy.stepAttempts,
      initialInterval: policy.stepInitialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
    },
  };
}

export function compensationStep(policy: StepTuning): ActivityOptions {
  return {
    startToCloseTimeout: policy.stepTimeoutMs,
    retry: {
      maximumAttempts: policy.stepAttempts * 2,
      initialInterval: policy.stepInitialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
    },
  };
}

/**
 * Mirroring the order into the ledger: retried until it succeeds (it is idempotent and
 * never a reason to compensate), with the forward step's spacing.
 */
export function mirrorStep(policy: OrderPolicy): ActivityOptions {
  return {
    startToCloseTimeout: policy.stepTimeoutMs,
    retry: {
      initialInterval: policy.stepInitialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
    },
  };
}

/**
 * A forward step run as a local activity: the worker runs it inside the workflow task,
 * with the forward step's timeout and retries, so the server schedules no activity task.
 */
export function localForwardStep(policy: StepTuning): LocalActivityOptions {
  return forwardStep(policy);
}
