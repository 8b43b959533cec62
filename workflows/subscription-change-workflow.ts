import {
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities/order-activities';
import type { SubscriptionChangeActivities } from '../activities/subscription-change-activities';
import { attendedSteps, describeError, StepsAborted } from './attended-steps';
import { paymentMethodUpdatedSignal } from './messages';
import { compensationStep, forwardStep } from './retry-presets';
import { Saga } from './saga';
import {
  changeOutcomeUpdate,
  changeStatusQuery,
  FINAL_CHANGE_STATES,
  type ChangeInput,
  type ChangePlan,
  type ChangeState,
  type ChangeStatus,
  type ChangeStep,
} from './subscription-change-contract';

type Activities = OrderActivities & SubscriptionChangeActivities;

/**
 * Changes started before the payment's compensation ran as `releasePayment` scheduled it
 * under its old activity type name, `cancelAuthorization`: their histories replay that way.
 */
const RELEASE_PAYMENT_PATCH = 'release-payment-activity';

/** The customer's bank said no: the change ends declined, nothing else happens. */
class PaymentDeclined extends Error {}

/**
 * One change a customer asked for, end to end, with the purchase's guarantees: every
 * step registers its undo before it acts, a step that keeps failing parks for ops (retry
 * or abort), and an abort undoes what was done, newest first. The change is recorded in
 * the ledger as applied, scheduled or refused: never half done.
 */
export async function subscriptionChangeWorkflow(input: ChangeInput): Promise<ChangeStatus> {
  const { policy, plan } = input;
  const forward = proxyActivities<Activities>(forwardStep(policy));
  const undo = proxyActivities<Activities>(compensationStep(policy));
  const saga = new Saga();
  const status: ChangeStatus = {
    tenantId: input.tenantId,
    subscriptionId: input.subscriptionId,
    changeId: input.changeId,
    kind: input.kind,
    state: 'received',
    stepsDone: [],
    compensationsDone: [],
    decisions: [],
  };
  const steps = attendedSteps<ChangeState, ChangeStep>(status, {
    attentionDeadlineMs: policy.attentionDeadlineMs,
    label: `change ${input.changeId} of ${input.subscriptionId}`,
  });
  const settled = () => [...FINAL_CHANGE_STATES, 'needs-attention'].includes(status.state);
  setHandler(changeStatusQuery, () => status);
  setHandler(changeOutcomeUpdate, async () => {
    await condition(settled);
    return status;
  });

  const ids = { subscriptionId: input.subscriptionId, changeId: input.changeId };
  const record = (outcome: { amount?: number; paymentIntentId?: string }) =>
    steps.runStep('record', 'recording', () =>
      forward.recordChangeOutcome({ ...ids, status: 'applied', ...outcome }),
    );

  try {
    const finalState = await carryOut(input, plan, status, { forward, undo, saga, steps, record });
    status.step = undefined;
    steps.setState(finalState);
    return status;
  } catch (error: unknown) {
    const declined = error instanceof PaymentDeclined;
    if (!declined) status.error = describeError(status.step ?? '', error);
    steps.setState('compensating');
    await saga.compensate(steps.runCompensation);
    // The ledger's record of the change says how it ended, so a repeat answers the same.
    await steps.runCompensation({
      name: 'record-refusal',
      run: () =>
        undo.recordChangeOutcome({
          ...ids,
          status: 'refused',
          reason: declined
            ? `declined: ${status.declineReason ?? 'card declined'}`
            : `undone: ${status.error?.message ?? 'aborted'}`.slice(0, 500),
        }),
    });
    status.step = undefined;
    steps.setState(declined ? 'declined' : 'compensated');
    return status;
  }
}

interface Tools {
  forward: Activities;
  undo: Activities;
  saga: Saga;
  steps: ReturnType<typeof attendedSteps<ChangeState, ChangeStep>>;
  record: (outcome: { amount?: number; paymentIntentId?: string }) => Promise<void>;
}

async function carryOut(
  input: ChangeInput,
  plan: ChangePlan,
  status: ChangeStatus,
  tools: Tools,
): Promise<ChangeState> {
  switch (plan.kind) {
    case 'upgrade':
      return upgrade(input, plan, status, tools);
    case 'schedule':
      return schedule(input, plan, tools);
    case 'cancel-now':
      return cancelNow(input, plan, status, tools);
    case 'seats':
      return changeSeats(input, plan, tools);
    case 'payment-method':
      return updatePaymentMethod(input, plan, status, tools);
    case 'withdraw':
      await tools.steps.runStep('withdraw', 'applying', () =>
        tools.forward.withdrawPendingChange({
          subscriptionId: input.subscriptionId,
          changeId: plan.target,
          byChangeId: input.changeId,
        }),
      );
      await tools.record({});
      return 'applied';
  }
}

/** Authorize → grant → capture → record, like a purchase: the features count at once. */
async function upgrade(
  input: ChangeInput,
  plan: Extract<ChangePlan, { kind: 'upgrade' }>,
  status: ChangeStatus,
  { forward, undo, saga, steps, record }: Tools,
): Promise<ChangeState> {
  status.amount = plan.amount;
  const charged = plan.amount.total > 0;
  if (charged) {
    const authorization = await steps.runStep('authorize', 'authorizing', () => {
      // Registered before the authorization exists: a lost answer is found again by the
      // same idempotency key, and released (or refunded once captured).
      saga.register('release-payment', async () => {
        const payment = status.payment;
        if (!payment) return;
        if (!patched(RELEASE_PAYMENT_PATCH)) {
          await undo.cancelAuthorization({
            orderId: input.changeRef,
            paymentIntentId: payment.paymentIntentId,
          });
          payment.refunded = payment.captured;
          return;
        }
        // What Stripe reports, not what this workflow saw: a capture whose answer was
        // lost is reported captured and refunded.
        const report = await undo.releasePayment({
          orderId: input.changeRef,
          tenantId: input.tenantId,
          paymentIntentId: payment.paymentIntentId,
        });
        payment.captured = report.captured;
        payment.refunded = report.refunded;
      });
      return forward.authorizeChange({
        changeRef: input.changeRef,
        tenantId: input.tenantId,
        subscriptionId: input.subscriptionId,
        changeId: input.changeId,
        amount: plan.amount.total,
        currency: plan.amount.currency,
        paymentMethod: plan.paymentMethod,
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
    // A change is paid with a saved card, off the checkout page: a bank that asks the
    // customer to authenticate is a refusal here (the hold is released).
    if (authorization.status === 'requires_action') {
      status.declineReason = 'authentication_required';
      throw new PaymentDeclined('the bank asks the customer to authenticate');
    }
    if (authorization.status === 'declined') {
      status.declineReason = authorization.declineCode ?? authorization.code;
      throw new PaymentDeclined(authorization.message);
    }
  }

  await steps.runStep('grant', 'applying', async () => {
    saga.register('revert-upgrade', () =>
      undo.revertUpgrade({
        subscriptionId: input.subscriptionId,
        orderId: input.changeRef,
        to: plan.from,
      }),
    );
    await forward.applyUpgrade({
      subscriptionId: input.subscriptionId,
      orderId: input.changeRef,
      to: plan.to,
      grants: plan.grants,
    });
  });

  if (charged && status.payment) {
    const payment = status.payment;
    await steps.runStep('capture', 'capturing', async () => {
      await forward.capturePayment({
        orderId: input.changeRef,
        paymentIntentId: payment.paymentIntentId,
      });
      payment.captured = true;
    });
  }
  await record({ amount: plan.amount.total, paymentIntentId: status.payment?.paymentIntentId });
  return 'applied';
}

/** A downgrade or a cancellation at the period end: the renewal applies it. */
async function schedule(
  input: ChangeInput,
  plan: Extract<ChangePlan, { kind: 'schedule' }>,
  { forward, undo, saga, steps }: Tools,
): Promise<ChangeState> {
  await steps.runStep('schedule', 'scheduling', async () => {
    saga.register('unschedule', () =>
      undo.withdrawPendingChange({
        subscriptionId: input.subscriptionId,
        changeId: input.changeId,
        byChangeId: input.changeId,
      }),
    );
    await forward.schedulePendingChange({
      subscriptionId: input.subscriptionId,
      change: plan.pendingChange,
    });
  });
  return 'scheduled';
}

/**
 * Cancel now: access stops first (reversible), the provisioned resource goes
 * (re-creatable), then the unused part is refunded. After the refund there is no way
 * back, so the saga is emptied: ending the subscription only tidies the ledger (its
 * grants and seats stopped counting when it left active).
 */
async function cancelNow(
  input: ChangeInput,
  plan: Extract<ChangePlan, { kind: 'cancel-now' }>,
  status: ChangeStatus,
  { forward, undo, saga, steps, record }: Tools,
): Promise<ChangeState> {
  status.amount = plan.amount;
  const subscription = { subscriptionId: input.subscriptionId, orderId: input.changeRef };
  await steps.runStep('suspend', 'applying', async () => {
    saga.register('reactivate', () =>
      undo.setSubscriptionStatus({
        ...subscription,
        status: plan.statusBefore,
        reason: 'cancellation undone',
      }),
    );
    await forward.setSubscriptionStatus({
      ...subscription,
      status: 'cancelled',
      reason: 'cancelled immediately by the customer',
    });
  });
  const resource = plan.provisioning;
  if (resource) {
    await steps.runStep('deprovision', 'applying', async () => {
      saga.register('reprovision', () => undo.provision(resource));
      await forward.deprovision(resource);
    });
  }
  if (plan.refunds.length > 0) {
    await steps.runStep('refund', 'refunding', async () => {
      for (const [index, refund] of plan.refunds.entries()) {
        await forward.refundPart({ refundRef: `${input.changeRef}.r${index}`, ...refund });
      }
    });
  }
  saga.forget();
  try {
    await steps.runStep('end', 'applying', () =>
      forward.closeSubscription({ ...subscription, tenantId: input.tenantId }),
    );
  } catch (error: unknown) {
    // Refunded and out of force already: an abort here leaves it cancelled (nothing of it
    // counts any more) rather than pretend the cancellation did not happen.
    if (!(error instanceof StepsAborted)) throw error;
    status.error = describeError('end', error);
  }
  await record({ amount: plan.amount.total, paymentIntentId: plan.refunds[0]?.paymentIntentId });
  return 'applied';
}

/** Unassign first (frees seats), then assign; the features follow the seats. */
async function changeSeats(
  input: ChangeInput,
  plan: Extract<ChangePlan, { kind: 'seats' }>,
  { forward, undo, saga, steps, record }: Tools,
): Promise<ChangeState> {
  const call = {
    subscriptionId: input.subscriptionId,
    tenantId: input.tenantId,
    orderId: input.changeRef,
  };
  if (plan.unassign.length > 0) {
    await steps.runStep('unassign', 'applying', async () => {
      saga.register('reseat', () =>
        undo.seatUsers({ ...call, plan: plan.plan, userIds: plan.unassign, grants: plan.regrants }),
      );
      await forward.unseatUsers({ ...call, userIds: plan.unassign });
    });
  }
  if (plan.assign.length > 0) {
    await steps.runStep('assign', 'applying', async () => {
      saga.register('unseat', () => undo.unseatUsers({ ...call, userIds: plan.assign }));
      await forward.seatUsers({
        ...call,
        plan: plan.plan,
        userIds: plan.assign,
        grants: plan.grants,
      });
    });
  }
  await record({});
  return 'applied';
}

/** Saves the method renewals charge, and tells a past-due renewal to retry now. */
async function updatePaymentMethod(
  input: ChangeInput,
  plan: Extract<ChangePlan, { kind: 'payment-method' }>,
  status: ChangeStatus,
  { forward, undo, saga, steps, record }: Tools,
): Promise<ChangeState> {
  await steps.runStep('save-method', 'applying', async () => {
    const previous = plan.previousPaymentMethod;
    if (previous) {
      saga.register('restore-method', () =>
        undo.savePaymentMethod({
          subscriptionId: input.subscriptionId,
          paymentMethod: previous,
          orderId: input.changeRef,
        }),
      );
    }
    await forward.savePaymentMethod({
      subscriptionId: input.subscriptionId,
      paymentMethod: plan.paymentMethod,
      orderId: input.changeRef,
    });
  });
  await steps.runStep('signal-renewal', 'applying', async () => {
    try {
      await getExternalWorkflowHandle(plan.renewalWorkflowId).signal(paymentMethodUpdatedSignal);
      status.renewalSignalled = true;
    } catch {
      // No renewal of this period is running: the next one charges the new method anyway.
      status.renewalSignalled = false;
    }
  });
  await record({});
  return 'applied';
}
