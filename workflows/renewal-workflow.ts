import { condition, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import { attendedSteps, describeError, StepsAborted } from './attended-steps';
import { paymentMethodUpdatedSignal, renewalStatusQuery } from './messages';
import type {
  ChargeAttempt,
  RenewalInput,
  RenewalPlan,
  RenewalState,
  RenewalStatus,
  RenewalStep,
} from './renewal-types';
import { UNLISTED_RENEWAL_STATES } from './renewal-types';
import { compensationStep, forwardStep } from './retry-presets';
import { Saga } from './saga';

const DAY_MS = 24 * 60 * 60 * 1000;

type Renew = Extract<RenewalPlan, { action: 'renew' }>;
type Ending = Extract<RenewalPlan, { action: 'renew' | 'cancel' }>;

/**
 * One subscription, one period end: a pending cancellation ends it (no charge); otherwise
 * a pending downgrade is applied, then the next period is charged off session under the
 * current catalog. A decline starts dunning: past due, retries on the policy's days (at
 * once when the customer saves a new method), suspended after the grace period (licenses
 * stop counting, resources disabled), ended after that. A later payment reactivates it.
 * Every step parks for ops when it keeps failing. The sweep starts the next period's.
 */
export async function renewalWorkflow(input: RenewalInput): Promise<RenewalStatus> {
  const renewalId = workflowInfo().workflowId;
  const forward = proxyActivities<RenewalActivities>(forwardStep(input.steps));
  const undo = proxyActivities<RenewalActivities>(compensationStep(input.steps));
  const saga = new Saga();
  const status: RenewalStatus = {
    kind: 'renewal',
    subscriptionId: input.subscriptionId,
    periodStart: input.periodStart,
    state: 'planning',
    stepsDone: [],
    compensationsDone: [],
    decisions: [],
    charges: [],
  };
  const steps = attendedSteps<RenewalState, RenewalStep>(status, {
    attentionDeadlineMs: input.steps.attentionDeadlineMs,
    label: `renewal of ${input.subscriptionId} from ${input.periodStart}`,
    unlisted: (state) => input.coarseListing === true && UNLISTED_RENEWAL_STATES.includes(state),
  });
  const { setState, runStep, runCompensation } = steps;
  let methodUpdated = false;
  setHandler(renewalStatusQuery, () => status);
  setHandler(paymentMethodUpdatedSignal, () => {
    methodUpdated = true;
  });
  const ids = { subscriptionId: input.subscriptionId, renewalId };

  /** Ending is never given up on: it parks for ops between rounds, and only retries. */
  const end = async (plan: Ending, reason: string) => {
    setState('ending');
    status.endedBecause = reason;
    await runCompensation({
      name: 'end',
      run: () => forward.terminateSubscription({ ...ids, reason, resources: plan.resources }),
    });
    status.stepsDone.push('end');
    finish('ended');
  };
  const finish = (state: RenewalState) => {
    status.step = undefined;
    setState(state);
  };

  let plan: RenewalPlan | undefined;
  try {
    plan = await runStep('plan', 'planning', () =>
      forward.planRenewal({ subscriptionId: input.subscriptionId, periodStart: input.periodStart }),
    );
    status.plan = plan;
    if (plan.action === 'none') {
      finish('skipped');
      return status;
    }
    status.tenantId = plan.tenantId;
    // Started early (by hand): the licenses run to the last instant of the period.
    const untilEnd = Date.parse(plan.periodEnd) - Date.now();
    if (untilEnd > 0) {
      setState('waiting-for-period-end');
      await sleep(untilEnd);
    }
    if (plan.action === 'cancel') {
      await end(plan, 'cancelled at period end');
      return status;
    }
    const renew = plan;
    if (renew.downgrade) {
      const { changeId } = renew.downgrade;
      await runStep('apply-change', 'changing', () =>
        forward.applyPeriodEndChange({
          ...ids,
          changeId,
          catalogVersion: renew.next.catalogVersion,
        }),
      );
    }

    const paid = await chargeWithDunning(renew);
    if (!paid) {
      await end(renew, 'renewal unpaid');
      return status;
    }
    await runStep('record', 'recording', () =>
      forward.recordPaidPeriod({
        ...ids,
        renewedPeriodStart: input.periodStart,
        next: renew.next,
        paymentIntentId: paid,
        regrant: !renew.downgrade && renew.next.catalogVersion !== renew.catalogVersion,
      }),
    );
    if (status.suspendedAt) {
      await runStep('reactivate', 'reactivating', () =>
        forward.reactivateSubscription({ resources: renew.resources }),
      );
    }
    finish('renewed');
    return status;
  } catch (error: unknown) {
    if (!(error instanceof StepsAborted)) throw error;
    status.error = describeError(status.step ?? '', error);
    // Paid and recorded: only re-enabling was left, and ops chose to leave it.
    if (status.stepsDone.includes('record')) {
      finish('aborted');
      return status;
    }
    // Ops gave up on this renewal: money back if it was taken, and no licenses unpaid.
    setState('compensating');
    await saga.compensate(runCompensation);
    if (plan && plan.action !== 'none') await end(plan, `renewal aborted: ${error.message}`);
    finish('aborted');
    return status;
  }

  /**
   * Charges until paid (the PaymentIntent's id) or dunning runs out (undefined, once
   * suspended long enough). Timers run on workflow time, so they survive restarts.
   */
  async function chargeWithDunning(renew: Renew): Promise<string | undefined> {
    let attempt = 0;
    let firstDeclineAt: number | undefined;
    let retryIndex = 0;
    for (;;) {
      attempt += 1;
      // A method saved while this attempt runs wakes the next one at once.
      methodUpdated = false;
      const charge = await charge1(renew, attempt);
      if (charge.outcome === 'succeeded' && charge.paymentIntentId) return charge.paymentIntentId;
      if (firstDeclineAt === undefined) {
        firstDeclineAt = Date.now();
        status.pastDueSince = new Date(firstDeclineAt).toISOString();
        await runStep('mark-past-due', 'past-due', () =>
          forward.markPastDue({ ...ids, reason: `renewal declined: ${charge.code ?? 'declined'}` }),
        );
      }
      setState(status.suspendedAt ? 'suspended' : 'past-due');
      const retries = input.policy.dunningRetryDays.map((days) => firstDeclineAt! + days * DAY_MS);
      const suspendAt = firstDeclineAt + input.policy.graceDays * DAY_MS;
      const endAt = suspendAt + input.policy.suspendedDaysBeforeEnd * DAY_MS;
      while (retryIndex < retries.length && retries[retryIndex] <= Date.now()) retryIndex++;

      // Wait for the next retry day, the next deadline, or a new payment method.
      for (;;) {
        const deadline = status.suspendedAt ? endAt : suspendAt;
        const retryAt = retries[retryIndex];
        const wakeAt = retryAt !== undefined && retryAt <= deadline ? retryAt : deadline;
        const signalled = await condition(() => methodUpdated, Math.max(wakeAt - Date.now(), 1));
        if (signalled) break;
        if (wakeAt === retryAt && Date.now() >= retryAt) {
          retryIndex++;
          break;
        }
        if (!status.suspendedAt && Date.now() >= suspendAt) {
          await runStep('suspend', 'suspending', () =>
            forward.suspendSubscription({ ...ids, resources: renew.resources }),
          );
          status.suspendedAt = new Date(Date.now()).toISOString();
          setState('suspended');
          continue;
        }
        if (status.suspendedAt && Date.now() >= endAt) return undefined;
      }
    }
  }

  async function charge1(renew: Renew, attempt: number): Promise<ChargeAttempt> {
    const result = await runStep('charge', 'charging', () => {
      // Registered before the charge exists: if the period cannot be recorded and ops
      // abort, the money taken for it goes back (the refund finds the intent by id).
      saga.register('refund-charge', async () => {
        const paid = status.charges.find((c) => c.outcome === 'succeeded');
        if (paid?.paymentIntentId) {
          await undo.refundRenewal({ renewalId, paymentIntentId: paid.paymentIntentId });
        }
      });
      return forward.chargeRenewal({
        subscriptionId: input.subscriptionId,
        next: renew.next,
        attempt,
      });
    });
    const charge: ChargeAttempt = { ...result, at: new Date(Date.now()).toISOString() };
    status.charges.push(charge);
    return charge;
  }
}
