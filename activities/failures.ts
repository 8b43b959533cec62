import { ApplicationFailure } from '@temporalio/activity';
import { isLedgerError } from '../src/ledger/errors';
import { isProvisioningError } from '../src/provisioning/provisioning-error';

/**
 * Classifies a service error for Temporal, on purpose: a refusal that will refuse again
 * (invalid input, a conflict, a full seat count) becomes a non-retryable
 * ApplicationFailure with a stable `type`; anything else is rethrown as is and retried
 * by the activity's retry policy, then parks the order for ops.
 */
export function classify(error: unknown, classifyPayment: (e: unknown) => PaymentClass): never {
  if (isLedgerError(error)) {
    throw ApplicationFailure.nonRetryable(error.message, error.code, error.field);
  }
  if (isProvisioningError(error)) {
    if (!error.retryable) throw ApplicationFailure.nonRetryable(error.message, error.code);
    throw ApplicationFailure.retryable(error.message, error.code);
  }
  const payment = classifyPayment(error);
  if (payment.known) {
    if (!payment.retryable) throw ApplicationFailure.nonRetryable(payment.message, payment.type);
    throw ApplicationFailure.retryable(payment.message, payment.type);
  }
  throw error;
}

export interface PaymentClass {
  known: boolean;
  retryable: boolean;
  type: string;
  message: string;
}
