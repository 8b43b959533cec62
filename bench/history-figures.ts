import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const at = (event: HistoryEvent | undefined) => {
  const time = event?.eventTime;
  return time ? Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6 : 0;
};
const mean = (values: number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * What a workflow costs Temporal, as the server counts it: its state transitions (each
 * one a write to the history shard's persistence) and its history events.
 */
export async function temporalCost(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  const { raw } = await handle.describe();
  const history = await handle.fetchHistory();
  return {
    stateTransitions: Number(raw.workflowExecutionInfo?.stateTransitionCount ?? 0),
    events: history.events?.length ?? 0,
  };
}

/**
 * Where the workflows' time went, from their histories: per activity type, the mean
 * time it waited in the task queue (scheduled → started) and ran (started → completed);
 * and the mean wait of workflow tasks for a worker.
 */
export async function timeBreakdown(client: Client, workflowIds: string[]): Promise<string> {
  const queued = new Map<string, number[]>();
  const ran = new Map<string, number[]>();
  const taskWait: number[] = [];
  const push = (map: Map<string, number[]>, key: string, value: number) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const byId = new Map(events.map((event) => [Number(event.eventId), event]));
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const attributes = event.activityTaskCompletedEventAttributes;
        const scheduled = byId.get(Number(attributes?.scheduledEventId));
        const started = byId.get(Number(attributes?.startedEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        push(queued, name, at(started) - at(scheduled));
        push(ran, name, at(event) - at(started));
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        const scheduled = byId.get(
          Number(event.workflowTaskStartedEventAttributes?.scheduledEventId),
        );
        taskWait.push(at(event) - at(scheduled));
      }
    }
  }
  const activities = [...ran.keys()]
    .map(
      (name) =>
        `${name} queued ${mean(queued.get(name)!).toFixed(0)} ms + ran ${mean(ran.get(name)!).toFixed(0)} ms`,
    )
    .join(', ');
  return `${activities}; workflow tasks waited ${mean(taskWait).toFixed(0)} ms (means over ${workflowIds.length} workflows)`;
}
