import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { OrderActivities } from '../activities/order-activities';
import { attendedSteps, describeError, StepsAborted } from './attended-steps';
import { checkoutUpdate, orderStatusQuery, paymentEventSignal } from './messages';
import {
  subscriptionIdFor,
  type CheckoutResult,
  type OrderInput,
  type OrderState,
  type OrderStatus,
  type StepName,
} from './order-types';
import { compensationStep, forwardStep } from './retry-presets';
import { Saga } from './saga';

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
  const seenPaymentEvents = new Set<string>();
  let paymentEventsPending = 0;
  const steps = attendedSteps<OrderState, StepName>(status, {
    attentionDeadlineMs: policy.attentionDeadlineMs,
    abortableWithoutAttention: () => status.state === 'awaiting-authentication',
    label: `order ${purchase.orderId}`,
  });
  const { setState, runStep, runCompensation } = steps;

  setHandler(orderStatusQuery, () => status);
  setHandler(checkoutUpdate, async () => {
    // Answer once the payment's outcome is known; a decline is known only after its
    // authorization is released, when the order is `declined`.
    await condition(() => !['received', 'authorizing', 'compensating'].includes(status.state));
    return checkoutResult(status);
  });
  setHandler(paymentEventSignal, (event) => {
    // Stripe delivers at least once and in any order: count each event once, and let
    // the workflow re-read the PaymentIntent instead of trusting the event's payload.
    if (seenPaymentEvents.has(event.eventId)) return;
    seenPaymentEvents.add(event.eventId);
    paymentEventsPending++;
  });

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
          () => paymentEventsPending > 0 || steps.abortRequested(),
          Math.max(remaining, 1),
        );
        if (steps.abortRequested()) {
          const decision = steps.takeAbort('authorize');
          throw new StepsAborted(decision.reason ?? 'aborted while awaiting authentication');
        }
        if (!woke) throw new StepsAborted('the customer did not complete 3-D Secure in time');
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
        paymentMethodId: purchase.paymentMethod,
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
