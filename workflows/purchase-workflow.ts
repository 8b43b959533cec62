import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities/order-activities';
import { attendedSteps, describeError, StepsAborted } from './attended-steps';
import { checkoutUpdate, orderStatusQuery, paymentEventSignal } from './messages';
import {
  checkoutResultOf,
  subscriptionIdFor,
  type OrderInput,
  type OrderState,
  type OrderStatus,
  type StepName,
} from './order-types';
import { compensationStep, forwardStep, localForwardStep, mirrorStep } from './retry-presets';
import { compensateIndependently, Saga, type Compensation } from './saga';

/**
 * Orders started before this change replay as they ran: they keep the authorization's
 * own release, the saga's one-at-a-time undo and a 3-D Secure wait that gives up at its
 * deadline. Orders started after it mirror into the ledger, release the payment by the
 * order id and report what was done, undo independently, and re-read at the deadline.
 */
const LEDGER_ORDERS_PATCH = 'ledger-orders-and-independent-undo';

/**
 * Orders started before this change write every step's state to the search attributes.
 * Orders started after it write only what ops list by: granting (once the payment is
 * held; it then stands for every step until the order is final), awaiting-authentication,
 * needs-attention, compensating and the final states. An order still authorizing lists
 * as received. Each write is a visibility update on the server; the order's own status
 * (GET /v1/orders/:id) always has the exact step.
 */
const COARSE_SEARCH_ATTRIBUTES_PATCH = 'coarse-order-search-attributes';
const UNLISTED_STATES: readonly string[] = [
  'authorizing',
  'provisioning',
  'capturing',
  'recording',
];

/**
 * Orders of revision 2 (ORDER_REVISION) write `OrderState` only where the list cannot
 * tell the state otherwise. Checkout starts them listed as `received`, which stands for
 * every step in flight and, once the workflow has completed, for `completed`: the list
 * reads that from the execution's close (src/orders/order-list.ts). An order that runs
 * straight through writes nothing; `awaiting-authentication`, `needs-attention`,
 * `compensating`, `declined` and `compensated` are written, and `received` again when
 * the order goes on after 3-D Secure or an ops decision.
 */
const LISTED_AS_RECEIVED: readonly string[] = [
  'received',
  'authorizing',
  'granting',
  'provisioning',
  'capturing',
  'recording',
  'completed',
];
const listedAs = (state: string) => (LISTED_AS_RECEIVED.includes(state) ? 'received' : state);

/**
 * Orders of revision 3 run every forward step but the grant as a local activity: the
 * worker runs it inside the workflow task that asks for it, with the same timeout and
 * retries, and the history keeps its result as a marker. The server then schedules one
 * activity an order instead of five or six, and runs two workflow tasks instead of six or
 * seven. The grant stays an activity of its own: the workflow task that authorizes ends
 * with it, and only a task's end sends checkout its answer (a task with a local activity
 * still running waits for it); and it may write thousands of seats. Undoing and 3-D
 * Secure's re-reads stay activities too: they wait on people and on outages, and the
 * server shows what they are waiting for.
 */
const LOCAL_STEPS_REVISION = 3;

/** The customer's bank said no: a business outcome, not a fault. */
class PaymentDeclined extends Error {}

/**
 * One purchase, end to end: authorize → grant → provision → capture → record, on an
 * order validated and priced at checkout (src/orders/order-plan.ts). Every step registers its undo before it acts; on any failure
 * the saga undoes what was done, newest first. A step that keeps failing parks the order
 * for ops (retry or abort) instead of failing silently.
 */
export async function purchaseWorkflow(input: OrderInput): Promise<OrderStatus> {
  const { purchase, policy } = input;
  const forward = proxyActivities<OrderActivities>(forwardStep(policy));
  const undo = proxyActivities<OrderActivities>(compensationStep(policy));
  const mirror = proxyActivities<OrderActivities>(mirrorStep(policy));
  const saga = new Saga();
  // An order that carries its revision applies both without a marker; the input is in
  // its history, so it replays the same way.
  const revision = input.revision ?? 0;
  const local =
    revision >= LOCAL_STEPS_REVISION
      ? proxyLocalActivities<OrderActivities>(localForwardStep(policy))
      : forward;
  const revised = revision >= 1;
  const current = revised || patched(LEDGER_ORDERS_PATCH);
  const coarse = revised || patched(COARSE_SEARCH_ATTRIBUTES_PATCH);

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
    ...(revision >= 2
      ? { listing: { listedAs, initial: 'received' } }
      : { unlisted: (state: string) => coarse && UNLISTED_STATES.includes(state) }),
  });
  const { setState, runStep, runCompensation } = steps;

  setHandler(orderStatusQuery, () => status);
  setHandler(checkoutUpdate, async () => {
    // Answer once the payment's outcome is known; a decline is known only after its
    // authorization is released, when the order is `declined`.
    await condition(() => !['received', 'authorizing', 'compensating'].includes(status.state));
    return checkoutResultOf(status);
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
    // The steps every order runs chain their activities instead of awaiting them: each
    // async function and await would be one more promise, and so one more stack capture
    // by the SDK (see runStep in attended-steps.ts).
    const authorization = await runStep('authorize', 'authorizing', () =>
      local
        .ensureCustomer({
          tenantId: purchase.tenantId,
          email: purchase.customer.email,
        })
        .then((customer) => {
          customerId = customer;
          // Registered before the authorization exists: if its answer is lost, the retry with
          // the same idempotency key finds the same PaymentIntent, which this then releases
          // (or refunds, when it was captured).
          saga.register('release-payment', releaseAuthorization);
          return local.authorizePayment({
            orderId: purchase.orderId,
            customerId,
            amount: plan.price.amount,
            currency: plan.price.currency,
            paymentMethod: purchase.paymentMethod,
            description: plan.description,
          });
        }),
    );
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
        if (!woke && !current) {
          throw new StepsAborted('the customer did not complete 3-D Secure in time');
        }
        paymentEventsPending = 0;
        if (!current) {
          outcome = await forward.getAuthorization({ paymentIntentId: outcome.paymentIntentId });
          continue;
        }
        // At the deadline too the intent is read first: a customer who authenticated and
        // whose webhook is late is never cancelled. A Stripe outage meanwhile parks the
        // order for ops rather than compensating an authorization that may have succeeded.
        outcome = await readAuthorization(outcome.paymentIntentId);
        if (!woke && outcome.status === 'requires_action') {
          throw new StepsAborted('the customer did not complete 3-D Secure in time');
        }
      }
      // An abort that arrived while the intent was read is applied, not dropped: ops
      // asked for it, and its update waits for an answer.
      if (current && steps.abortRequested()) {
        const decision = steps.takeAbort('authorize');
        throw new StepsAborted(decision.reason ?? 'aborted while awaiting authentication');
      }
    }
    if (outcome.status === 'declined') {
      status.declineReason = outcome.declineCode ?? outcome.code;
      throw new PaymentDeclined(outcome.message);
    }

    await runStep('grant', 'granting', () => {
      saga.register('revoke-licenses', () =>
        undo.revokeLicenses({
          orderId: purchase.orderId,
          tenantId: purchase.tenantId,
          subscriptionId: status.subscriptionId,
        }),
      );
      return forward.grantLicenses({
        orderId: purchase.orderId,
        tenantId: purchase.tenantId,
        subscription: plan.subscription,
        grants: plan.grants,
        seats: plan.seats,
        paymentIntentId: current ? status.payment?.paymentIntentId : undefined,
      });
    });

    if (plan.provisioning) {
      const resource = plan.provisioning;
      await runStep('provision', 'provisioning', () => {
        saga.register('deprovision', () => undo.deprovision(resource));
        return local.provision(resource);
      });
    }

    await runStep('capture', 'capturing', () => {
      const payment = status.payment!;
      return local
        .capturePayment({
          orderId: purchase.orderId,
          paymentIntentId: payment.paymentIntentId,
        })
        .then(() => {
          payment.captured = true;
        });
    });

    // The ledger writes license events to its outbox in the same transaction as each
    // grant and subscription change, so recording is also what emits them. The order's
    // completed state is mirrored by the same activity, so completing costs no extra step.
    await runStep('record', 'recording', () =>
      local.recordSubscription({
        subscription: plan.subscription,
        paymentIntentId: status.payment!.paymentIntentId,
        stripeCustomerId: customerId,
        paymentMethodId: purchase.paymentMethod,
        ...(current && {
          paid: { amount: plan.price.amount, currency: plan.price.currency },
          order: {
            state: 'completed',
            status: {
              ...status,
              state: 'completed',
              step: undefined,
              stepsDone: [...status.stepsDone, 'record'],
            },
          },
        }),
      }),
    );
    status.step = undefined;
    setState('completed');
    return status;
  } catch (error: unknown) {
    if (!(error instanceof PaymentDeclined)) status.error = describeError(status.step ?? '', error);
    setState('compensating');
    if (current) {
      await compensateIndependently(saga, tryCompensationOnce, runCompensation);
    } else {
      await saga.compensate(runCompensation);
    }
    status.step = undefined;
    const final = error instanceof PaymentDeclined ? 'declined' : 'compensated';
    // Mirrored before it shows: once the order says it is final, the ledger does too.
    if (current) {
      await mirror.recordOrderState({
        orderId: purchase.orderId,
        state: final,
        status: { ...status, state: final },
      });
    }
    setState(final);
    return status;
  }

  /** Undoes the authorization: releases the held payment, or refunds a captured one. */
  async function releaseAuthorization(): Promise<void> {
    if (current) {
      // The payment record is what Stripe reports, not what this workflow saw: a
      // capture whose answer was lost is reported captured and refunded.
      const report = await undo.releasePayment({
        orderId: purchase.orderId,
        tenantId: purchase.tenantId,
        paymentIntentId: status.payment?.paymentIntentId,
      });
      if (report.paymentIntentId) {
        status.payment = {
          ...status.payment,
          paymentIntentId: report.paymentIntentId,
          captured: report.captured,
          refunded: report.refunded,
        };
      }
      return;
    }
    if (!status.payment) return;
    await undo.cancelAuthorization({
      orderId: purchase.orderId,
      paymentIntentId: status.payment.paymentIntentId,
    });
    status.payment.refunded = status.payment.captured;
  }

  /** Reads the intent; a failure that outlasts its retries parks the order for ops. */
  async function readAuthorization(paymentIntentId: string) {
    for (;;) {
      try {
        return await forward.getAuthorization({ paymentIntentId });
      } catch (error: unknown) {
        const decision = await steps.awaitDecision('forward', 'authorize', error);
        if (decision.action === 'abort') {
          throw new StepsAborted(decision.reason ?? 'aborted while awaiting authentication');
        }
      }
    }
  }

  async function tryCompensationOnce(compensation: Compensation): Promise<boolean> {
    try {
      await compensation.run();
      status.compensationsDone.push(compensation.name);
      return true;
    } catch {
      return false;
    }
  }
}
