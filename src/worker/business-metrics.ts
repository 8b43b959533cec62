import type { Context as ActivityContext } from '@temporalio/activity';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  Next,
} from '@temporalio/worker';
import type { BusinessMetrics, PaymentKind } from '../telemetry/metrics';
import { FINAL_STATES, type OrderState, type OrderStatus } from '../../workflows/order-types';

/**
 * Counts what the business cares about where it happens: when an activity has done it
 * (activities run outside the workflow sandbox; workflow code counts nothing, it must
 * stay deterministic). A count is taken once the activity succeeded, so a failed try
 * counts nothing; an activity whose success is lost and that runs again (Temporal runs
 * activities at least once) counts again, which is rare (a worker dying in between).
 *
 * - orders by final state, and their compensation steps: from the final state the order
 *   records into the ledger (`recordOrderState`, or `recordSubscription` completing it);
 * - captures and refunds, by what was paid: the order, a subscription change, a renewal;
 * - renewals by outcome: renewed, past_due, suspended, ended.
 */
export function businessMetricsInterceptor(metrics: BusinessMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({ inbound: new BusinessMetricsInbound(ctx, metrics) });
}

class BusinessMetricsInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly metrics: BusinessMetrics,
  ) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const result = await next(input);
    const { activityType, workflowType } = this.ctx.info;
    count(this.metrics, activityType, kindOf(workflowType), input.args[0], result);
    return result;
  }
}

function kindOf(workflowType: string | undefined): PaymentKind {
  if (workflowType === 'subscriptionChangeWorkflow') return 'change';
  if (workflowType === 'renewalWorkflow') return 'renewal';
  return 'order';
}

type Fields = Record<string, unknown> | undefined;

function count(
  metrics: BusinessMetrics,
  activityType: string,
  kind: PaymentKind,
  arg: unknown,
  result: unknown,
): void {
  const input = arg as Fields;
  const output = result as Fields;
  switch (activityType) {
    case 'recordOrderState':
      return orderRecorded(metrics, input?.state, input?.status);
    case 'recordSubscription': {
      const order = input?.order as Fields;
      return orderRecorded(metrics, order?.state, order?.status);
    }
    case 'capturePayment':
      return metrics.capture(kind);
    case 'chargeRenewal':
      if (output?.outcome === 'succeeded') metrics.capture('renewal');
      return;
    case 'releasePayment':
      if (output?.refunded === true) metrics.refund(kind);
      return;
    case 'refundPart':
    case 'refundRenewal':
      metrics.refund(kind);
      if (activityType === 'refundRenewal') metrics.compensation('refund-renewal');
      return;
    case 'recordPaidPeriod':
      if (output?.outcome === 'recorded') metrics.renewal('renewed');
      return;
    case 'markPastDue':
      return metrics.renewal('past_due');
    case 'suspendSubscription':
      return metrics.renewal('suspended');
    case 'terminateSubscription':
      return metrics.renewal('ended');
  }
}

function orderRecorded(metrics: BusinessMetrics, state: unknown, status: unknown): void {
  if (typeof state !== 'string' || !FINAL_STATES.includes(state as OrderState)) return;
  metrics.orderFinished(state);
  const done = (status as Partial<OrderStatus> | undefined)?.compensationsDone ?? [];
  for (const step of done) metrics.compensation(step);
}
