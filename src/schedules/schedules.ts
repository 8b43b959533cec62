import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { ScheduledJob } from './jobs';

export interface AppliedSchedule {
  id: string;
  outcome: 'created' | 'updated';
}

export interface ScheduleSummary {
  id: string;
  paused: boolean;
  note?: string;
  workflowType?: string;
  intervalMs?: number;
  nextActionTimes: string[];
  recentActions: string[];
}

function specOf(job: ScheduledJob): ScheduleSpec {
  return { intervals: [{ every: job.intervalMs }] };
}

function actionOf(job: ScheduledJob, taskQueue: string): ScheduleOptionsStartWorkflowAction<never> {
  return {
    type: 'startWorkflow',
    workflowType: job.workflowType,
    args: job.args as never,
    taskQueue,
    // Temporal appends the scheduled time, so each run has an id of its own.
    workflowId: job.id,
  };
}

/**
 * Creates each job's schedule, or updates it when it exists: applying twice leaves one
 * schedule per job, with the latest interval and arguments. A run that is still going
 * when the next is due is skipped, not doubled.
 */
export async function applySchedules(
  client: Client,
  jobs: ScheduledJob[],
  taskQueue: string,
): Promise<AppliedSchedule[]> {
  const applied: AppliedSchedule[] = [];
  for (const job of jobs) {
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' };
    try {
      await client.schedule.create({
        scheduleId: job.id,
        spec: specOf(job),
        action: actionOf(job, taskQueue),
        policies,
        memo: { description: job.description },
      });
      applied.push({ id: job.id, outcome: 'created' });
    } catch (error: unknown) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(job.id).update((previous) => ({
        ...previous,
        spec: specOf(job),
        action: actionOf(job, taskQueue),
        policies: { ...previous.policies, ...policies },
      }));
      applied.push({ id: job.id, outcome: 'updated' });
    }
  }
  return applied;
}

/** The product's schedules, as Temporal has them. */
export async function listSchedules(
  client: Client,
  jobs: ScheduledJob[],
): Promise<ScheduleSummary[]> {
  const summaries: ScheduleSummary[] = [];
  for (const job of jobs) {
    try {
      const described = await client.schedule.getHandle(job.id).describe();
      const action = described.action;
      const interval = described.spec.intervals?.[0]?.every;
      summaries.push({
        id: job.id,
        paused: described.state.paused,
        note: described.state.note,
        workflowType: action.type === 'startWorkflow' ? action.workflowType : undefined,
        intervalMs: typeof interval === 'number' ? interval : undefined,
        nextActionTimes: described.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
        recentActions: described.info.recentActions.slice(-3).map((a) => a.takenAt.toISOString()),
      });
    } catch (error: unknown) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return summaries;
}

export class UnknownScheduleError extends Error {
  override readonly name = 'UnknownScheduleError';
}

/** Pauses (or unpauses) one job's schedule, with a note saying who and why. */
export async function pauseSchedule(
  client: Client,
  id: string,
  options: { paused: boolean; note: string },
): Promise<void> {
  const handle = client.schedule.getHandle(id);
  await known(id, () =>
    options.paused ? handle.pause(options.note) : handle.unpause(options.note),
  );
}

/** Runs one job now, outside its interval; a run still going is not doubled. */
export async function triggerSchedule(client: Client, id: string): Promise<void> {
  await known(id, () => client.schedule.getHandle(id).trigger(ScheduleOverlapPolicy.SKIP));
}

async function known(id: string, act: () => Promise<void>): Promise<void> {
  try {
    await act();
  } catch (error: unknown) {
    if (error instanceof ScheduleNotFoundError) {
      throw new UnknownScheduleError(`no schedule "${id}": run \`provisioner schedules apply\``);
    }
    throw error;
  }
}
