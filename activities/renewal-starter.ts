import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type WorkflowClient } from '@temporalio/client';
import { ORDER_KIND, ORDER_STATE, TENANT_ID } from '../src/domain/search-attributes';
import type { RenewalInput } from '../workflows/renewal-types';
import { renewalWorkflowId } from '../workflows/subscription-types';

/** A due subscription and the period it renews from. */
export interface DueRenewal {
  id: string;
  tenantId: string;
  periodStart: string;
}

export interface StartRenewalsInput {
  items: DueRenewal[];
  template: Omit<RenewalInput, 'subscriptionId' | 'periodStart'>;
  /** How many starts are in flight at once. */
  concurrency: number;
}

export interface StartRenewalsResult {
  started: number;
  /** Running or finished under the same id: another sweep, or an earlier try of this page. */
  alreadyStarted: number;
}

/** How a sweep starts one renewal: its id, its input and its search attributes. */
export function renewalStartOptions(
  item: DueRenewal,
  template: StartRenewalsInput['template'],
  taskQueue: string,
) {
  const args: [RenewalInput] = [
    { ...template, subscriptionId: item.id, periodStart: item.periodStart, coarseListing: true },
  ];
  return {
    workflowId: renewalWorkflowId(item.id, item.periodStart),
    taskQueue,
    args,
    workflowIdConflictPolicy: 'FAIL' as const,
    // A renewal that finished is not run again for the same period; one that failed
    // (terminated by hand) may be.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
    // Ops find renewals as they find orders: by tenant, kind and state (planning until a
    // state ops list by; see coarseListing).
    typedSearchAttributes: [
      { key: TENANT_ID, value: item.tenantId },
      { key: ORDER_KIND, value: 'renewal' },
      { key: ORDER_STATE, value: 'planning' },
    ],
  };
}

/**
 * Starts one renewal per subscription and period, on this worker's task queue. The id
 * comes from the subscription and the period, and an id already running or finished is
 * counted as done, so a retried page, an overlapping sweep or a sweep run by hand starts
 * nothing twice. Renewals started here are not children: they outlive the sweep and its
 * continue-as-new, and the sweep's history holds one activity per page.
 */
export async function startRenewals(
  workflows: WorkflowClient,
  input: StartRenewalsInput,
): Promise<StartRenewalsResult> {
  const taskQueue = Context.current().info.taskQueue;
  const result: StartRenewalsResult = { started: 0, alreadyStarted: 0 };
  const queue = [...input.items];
  const starter = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        await workflows.start(
          'renewalWorkflow',
          renewalStartOptions(item, input.template, taskQueue),
        );
        result.started += 1;
      } catch (error: unknown) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        result.alreadyStarted += 1;
      }
      Context.current().heartbeat();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, input.concurrency) }, starter));
  return result;
}
