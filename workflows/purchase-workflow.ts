import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities/order-activities';
import { NEEDS_ATTENTION, ORDER_STATE } from '../src/domain/search-attributes';
import {
  checkoutUpdate,
  opsDecisionUpdate,
  orderStatusQuery,
  paymentEventSignal,
} from './messages';
import {
  subscriptionIdFor,
  type Attention,
  type CheckoutResult,
  type OpsDecision,
  type OrderError,
  type OrderInput,
  type OrderState,
  type OrderStatus,
  type StepName,
} from './order-types';
import { compensationStep, forwardStep } from './retry-presets';
import { Saga, type Compensation } from './saga';

/** Thrown inside the workflow when ops (or the attention deadline) aborts the order. */
class OrderAborted extends Error {}
/** The customer's bank said no: a business outcome, not a fault. */
class PaymentDeclined extends Error {}

/**
 * One purchase, end to end: validate → price → authorize → grant → provision →
 * capture → record. Every step registers its undo before it acts; on any failure
 * the saga undoes what was done, newest first. A step that keeps failing parks the order
 * for ops (retry or abort) instead of failing silently.
 */
export async function purchaseWorkflow(input: OrderInput): Promise<OrderStatus> {
  const { purchase, policy } = input;
  const forward = proxyActivities<OrderActivities>(forwardStep(policy));
  const undo = proxyActivities<OrderActivities>(compensationStep(policy));
  const saga = new Saga();

  const status: OrderStatus = {
    orderId: purchase.orderId,
    tenantId: purchase.tenantId,
    kind: purchase.kind,
    product: purchase.kind === 'plan' ? purchase.plan : purchase.addon,
    subscriptionId: subscriptionIdFor(purchase.orderId),
    catalogVersion: input.catalogVersion,
    state: 'received',
    stepsDone: [],
    compensationsDone: [],
    decisions: [],
  };
  let pendingDecision: OpsDecision | undefined;
  const seenPaymentEvents = new Set<string>();
  let paymentEventsPending = 0;

  setHandler(orderStatusQuery, () => status);
  setHandler(checkoutUpdate, async () => {
    // Answer once the payment's outcome is known; a decline is known only after its
    // authorization is released, when the order is `declined`.
    await condition(() => !['received', 'authorizing', 'compensating'].includes(status.state));
    return checkoutResult(status);
  });
  setHandler(
    opsDecisionUpdate,
    async (decision) => {
      pendingDecision = decision;
      await condition(() => pendingDecision === undefined);
      return status;
    },
    {
      validator: (decision: OpsDecision) => {
        if (pendingDecision) throw new Error('another decision on this order is being applied');
        const attention = status.attention;
        if (decision.action === 'abort' && status.state === 'awaiting-authentication') return;
        if (!attention) {
          throw new Error(
            `order ${status.orderId} does not need attention (state ${status.state})`,
          );
        }
        if (attention.phase === 'compensation' && decision.action === 'abort') {
          throw new Error('the order is already compensating; only retry is possible');
        }
      },
    },
  );
  setHandler(paymentEventSignal, (event) => {
    // Stripe delivers at least once and in any order: count each event once, and let
    // the workflow re-read the PaymentIntent instead of trusting the event's payload.
    if (seenPaymentEvents.has(event.eventId)) return;
    seenPaymentEvents.add(event.eventId);
    paymentEventsPending++;
  });

  const setState = (state: OrderState) => {
    status.state = state;
    upsertSearchAttributes([
      { key: ORDER_STATE, value: state },
      { key: NEEDS_ATTENTION, value: state === 'needs-attention' },
    ]);
  };

  /**
   * Waits for ops after a step (or a compensation) ran out of retries. A forward step
   * aborts by itself at the deadline; a compensation is retried at the deadline, since
   * an order is never left half undone.
   */
  const awaitDecision = async (
    phase: Attention['phase'],
    step: string,
    error: unknown,
  ): Promise<OpsDecision> => {
    const resumeState = status.state;
    const now = Date.now();
    status.attention = {
      phase,
      step,
      error: describeError(step, error),
      since: new Date(now).toISOString(),
      deadline: new Date(now + policy.attentionDeadlineMs).toISOString(),
    };
    setState('needs-attention');
    // Why it waits travels in the memo, so ops can list stuck orders from visibility
    // alone, without querying each workflow.
    upsertMemo({ attention: status.attention });
    const decided = await condition(
      () => pendingDecision !== undefined,
      policy.attentionDeadlineMs,
    );
    const decision: OpsDecision = decided
      ? (pendingDecision as OpsDecision)
      : {
          action: phase === 'forward' ? 'abort' : 'retry',
          by: 'attention-deadline',
          reason: `no ops decision within ${policy.attentionDeadlineMs} ms`,
        };
    status.decisions.push({ ...decision, step, at: new Date(Date.now()).toISOString() });
    status.attention = undefined;
    upsertMemo({ attention: null });
    setState(resumeState);
    pendingDecision = undefined;
    return decision;
  };

  const runStep = async <T>(step: StepName, state: OrderState, act: () => Promise<T>) => {
    status.step = step;
    setState(state);
    for (;;) {
      try {
        const result = await act();
        status.stepsDone.push(step);
        return result;
      } catch (error: unknown) {
        const decision = await awaitDecision('forward', step, error);
        if (decision.action === 'abort') throw new OrderAborted(decision.reason ?? 'aborted');
      }
    }
  };

  const runCompensation = async ({ name, run }: Compensation) => {
    for (;;) {
      try {
        await run();
        status.compensationsDone.push(name);
        return;
      } catch (error: unknown) {
        await awaitDecision('compensation', name, error);
      }
    }
  };

  const { plan } = input;
  try {
    // Validated and priced at checkout; the plan came with the input.
    status.stepsDone.push('validate', 'price');
    status.amount = { currency: plan.price.currency, total: plan.price.amount };

    let customerId = '';
    const authorization = await runStep('authorize', 'authorizing', async () => {
      customerId = await forward.ensureCustomer({
        tenantId: purchase.tenantId,
        email: purchase.customer.email,
      });
      // Registered before the authorization exists: if its answer is lost, the retry with
      // the same idempotency key finds the same PaymentIntent, which this then releases
      // (or refunds, when it was captured).
      saga.register('release-payment', async () => {
        if (!status.payment) return;
        await undo.cancelAuthorization({
          orderId: purchase.orderId,
          paymentIntentId: status.payment.paymentIntentId,
        });
        status.payment.refunded = status.payment.captured;
      });
      return forward.authorizePayment({
        orderId: purchase.orderId,
        customerId,
        amount: plan.price.amount,
        currency: plan.price.currency,
        paymentMethod: purchase.paymentMethod,
        description: plan.description,
      });
    });
    if (authorization.paymentIntentId) {
      status.payment = {
        paymentIntentId: authorization.paymentIntentId,
        captured: false,
        refunded: false,
      };
    }
    let outcome = authorization;
    if (outcome.status === 'requires_action') {
      status.payment = { ...status.payment!, clientSecret: outcome.clientSecret };
      setState('awaiting-authentication');
      const deadline = Date.now() + policy.authenticationTimeoutMs;
      while (outcome.status === 'requires_action') {
        const remaining = deadline - Date.now();
        const woke = await condition(
          () => paymentEventsPending > 0 || pendingDecision?.action === 'abort',
          Math.max(remaining, 1),
        );
        if (pendingDecision?.action === 'abort') {
          const decision = pendingDecision;
          status.decisions.push({
            ...decision,
            step: 'authorize',
            at: new Date(Date.now()).toISOString(),
          });
          pendingDecision = undefined;
          throw new OrderAborted(decision.reason ?? 'aborted while awaiting authentication');
        }
        if (!woke) throw new OrderAborted('the customer did not complete 3-D Secure in time');
        paymentEventsPending = 0;
        outcome = await forward.getAuthorization({ paymentIntentId: outcome.paymentIntentId });
      }
    }
    if (outcome.status === 'declined') {
      status.declineReason = outcome.declineCode ?? outcome.code;
      throw new PaymentDeclined(outcome.message);
    }

    await runStep('grant', 'granting', async () => {
      saga.register('revoke-licenses', () =>
        undo.revokeLicenses({
          orderId: purchase.orderId,
          tenantId: purchase.tenantId,
          subscriptionId: status.subscriptionId,
        }),
      );
      await forward.grantLicenses({
        orderId: purchase.orderId,
        tenantId: purchase.tenantId,
        subscription: plan.subscription,
        grants: plan.grants,
        seats: plan.seats,
      });
    });

    if (plan.provisioning) {
      const resource = plan.provisioning;
      await runStep('provision', 'provisioning', async () => {
        saga.register('deprovision', () => undo.deprovision(resource));
        await forward.provision(resource);
      });
    }

    await runStep('capture', 'capturing', async () => {
      const payment = status.payment!;
      await forward.capturePayment({
        orderId: purchase.orderId,
        paymentIntentId: payment.paymentIntentId,
      });
      payment.captured = true;
    });

    // The ledger writes license events to its outbox in the same transaction as each
    // grant and subscription change, so recording is also what emits them.
    await runStep('record', 'recording', () =>
      forward.recordSubscription({
        subscription: plan.subscription,
        paymentIntentId: status.payment!.paymentIntentId,
        stripeCustomerId: customerId,
      }),
    );
    status.step = undefined;
    setState('completed');
    return status;
  } catch (error: unknown) {
    if (!(error instanceof PaymentDeclined)) status.error = describeError(status.step ?? '', error);
    setState('compensating');
    await saga.compensate(runCompensation);
    status.step = undefined;
    setState(error instanceof PaymentDeclined ? 'declined' : 'compensated');
    return status;
  }
}

function checkoutResult(status: OrderStatus): CheckoutResult {
  return {
    orderId: status.orderId,
    tenantId: status.tenantId,
    kind: status.kind,
    product: status.product,
    state: status.state,
    amount: status.amount,
    clientSecret:
      status.state === 'awaiting-authentication' ? status.payment?.clientSecret : undefined,
    declineReason: status.declineReason,
  };
}

function describeError(step: string, error: unknown): OrderError {
  const root = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return {
    step,
    type: root instanceof ApplicationFailure && root.type ? root.type : errorName(root),
    message: root instanceof Error ? root.message : String(root),
  };
}

function errorName(error: unknown): string {
  if (error instanceof OrderAborted) return 'ORDER.ABORTED';
  return error instanceof Error ? error.name : 'Error';
}
