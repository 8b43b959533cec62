import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type WorkflowClient } from '@temporalio/client';

/** Activities of the baseline: the same calls as the renewals', doing nothing else. */
export function createBaselineActivities(workflows: WorkflowClient, onDone: (id: string) => void) {
  return {
    async noopPage(input: { offset: number; limit: number; total: number }): Promise<string[]> {
      const count = Math.max(0, Math.min(input.limit, input.total - input.offset));
      return Array.from({ length: count }, (_, i) => `noop-${input.offset + i}`);
    },
    async noopStart(input: { ids: string[]; concurrency: number }): Promise<void> {
      const taskQueue = Context.current().info.taskQueue;
      const queue = [...input.ids];
      const starter = async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          try {
            await workflows.start('noopRenewalWorkflow', {
              workflowId: `baseline-${id}-${Context.current().info.workflowExecution?.workflowId ?? ''}`,
              taskQueue,
              args: [id],
            });
          } catch (error: unknown) {
            if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: input.concurrency }, starter));
    },
    async noopPlan(id: string): Promise<string> {
      return id;
    },
    async noopCharge(id: string): Promise<string> {
      return id;
    },
    async noopRecord(id: string): Promise<void> {
      onDone(id);
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
