import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineUpdate,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { NEEDS_ATTENTION, ORDER_STATE } from '../src/domain/search-attributes';
import type { Attention, OpsDecision, OpsDecisionRecord, StepError } from './order-types';
import type { Compensation } from './saga';

/** Thrown inside a workflow when ops (or the attention deadline) aborts it. */
export class StepsAborted extends Error {}

/** What every attended workflow (order, renewal, subscription change) shows ops. */
export interface AttendedStatus<State extends string, Step extends string> {
  state: State | 'needs-attention';
  step?: Step;
  stepsDone: Step[];
  compensationsDone: string[];
  attention?: Attention;
  decisions: OpsDecisionRecord[];
}

export interface AttendedStepsOptions {
  /** How long a parked step waits for ops before it aborts (forward) or retries (undo). */
  attentionDeadlineMs: number;
  /** Whether an abort is accepted while nothing needs attention (e.g. awaiting 3-D Secure). */
  abortableWithoutAttention?: () => boolean;
  /** What the workflow is, for refusals ("order o-1", "renewal of sub-1"). */
  label: string;
  /**
   * States kept in the status only, not written to the search attributes: steps ops do
   * not list by, each of which would cost a visibility write. Leaving `needs-attention`
   * is always written, whatever the state resumed.
   */
  unlisted?: (state: string) => boolean;
  /**
   * Instead of `unlisted`: the value each state is listed as, written only when it
   * differs from the value last written (`listedAs` of the state it started in, which
   * the workflow's start wrote).
   */
  listing?: { listedAs: (state: string) => string; initial: string };
}

/**
 * The guarantees every money-moving workflow shares: a step that runs out of retries
 * parks the workflow in `needs-attention` (visible through the search attributes and the
 * memo), where ops retry or abort it through the `opsDecision` update, or the deadline
 * decides. A compensation is never given up on: at its deadline it is retried.
 */
export function attendedSteps<State extends string, Step extends string>(
  status: AttendedStatus<State, Step>,
  options: AttendedStepsOptions,
) {
  let pendingDecision: OpsDecision | undefined;
  let listed = options.listing?.initial;

  setHandler(
    defineUpdate<AttendedStatus<State, Step>, [OpsDecision]>('opsDecision'),
    async (decision) => {
      pendingDecision = decision;
      await condition(() => pendingDecision === undefined);
      return status;
    },
    {
      validator: (decision: OpsDecision) => {
        if (pendingDecision) throw new Error('another decision is being applied');
        const attention = status.attention;
        if (decision.action === 'abort' && options.abortableWithoutAttention?.()) return;
        if (!attention) {
          throw new Error(`${options.label} does not need attention (state ${status.state})`);
        }
        if (attention.phase === 'compensation' && decision.action === 'abort') {
          throw new Error('it is already compensating; only retry is possible');
        }
      },
    },
  );

  const setState = (state: State | 'needs-attention') => {
    const leavingAttention = status.state === 'needs-attention';
    status.state = state;
    if (options.listing) {
      const value = options.listing.listedAs(state);
      if (value === listed) return;
      listed = value;
      writeListing(value);
      return;
    }
    if (!leavingAttention && options.unlisted?.(state)) return;
    writeListing(state);
  };
  const writeListing = (value: string) =>
    upsertSearchAttributes([
      { key: ORDER_STATE, value },
      { key: NEEDS_ATTENTION, value: value === 'needs-attention' },
    ]);

  const record = (decision: OpsDecision, step: string) => {
    status.decisions.push({ ...decision, step, at: new Date(Date.now()).toISOString() });
  };

  /** Parks until ops decide (or the deadline does), then resumes the state it had. */
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
      deadline: new Date(now + options.attentionDeadlineMs).toISOString(),
    };
    setState('needs-attention');
    // Why it waits travels in the memo, so ops list stuck work from visibility alone.
    upsertMemo({ attention: status.attention });
    const decided = await condition(
      () => pendingDecision !== undefined,
      options.attentionDeadlineMs,
    );
    const decision: OpsDecision = decided
      ? (pendingDecision as OpsDecision)
      : {
          action: phase === 'forward' ? 'abort' : 'retry',
          by: 'attention-deadline',
          reason: `no ops decision within ${options.attentionDeadlineMs} ms`,
        };
    record(decision, step);
    status.attention = undefined;
    upsertMemo({ attention: null });
    setState(resumeState);
    pendingDecision = undefined;
    return decision;
  };

  /**
   * Runs a forward step until it succeeds; parks after its retries; throws if aborted.
   * A step that succeeds costs one promise beside its activity's: the SDK captures a
   * stack for every promise a workflow makes, so the path every order takes is chained
   * rather than awaited (an async function and each await would each add one).
   */
  const runStep = <T>(step: Step, state: State, act: () => Promise<T>): Promise<T> => {
    status.step = step;
    setState(state);
    const attempt = (): Promise<T> =>
      started(act).then(
        (result) => {
          status.stepsDone.push(step);
          return result;
        },
        async (error: unknown) => {
          const decision = await awaitDecision('forward', step, error);
          if (decision.action === 'abort') throw new StepsAborted(decision.reason ?? 'aborted');
          return attempt();
        },
      );
    return attempt();
  };

  /** Runs one undo until it succeeds, parking for ops between rounds of retries. */
  const runCompensation = async ({ name, run }: Compensation): Promise<void> => {
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

  return {
    setState,
    awaitDecision,
    runStep,
    runCompensation,
    /** True while an abort that arrived outside a parked step waits to be taken. */
    abortRequested: () => pendingDecision?.action === 'abort',
    /** Takes that abort, records it against `step`, and answers the ops update. */
    takeAbort(step: string): OpsDecision {
      const decision = pendingDecision as OpsDecision;
      record(decision, step);
      pendingDecision = undefined;
      return decision;
    },
  };
}

/** The step's promise; a step that throws before it has one fails as one that rejects. */
function started<T>(act: () => Promise<T>): Promise<T> {
  try {
    return act();
  } catch (error: unknown) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export function describeError(step: string, error: unknown): StepError {
  const root = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return {
    step,
    type: root instanceof ApplicationFailure && root.type ? root.type : errorName(root),
    message: root instanceof Error ? root.message : String(root),
  };
}

function errorName(error: unknown): string {
  if (error instanceof StepsAborted) return 'ORDER.ABORTED';
  return error instanceof Error ? error.name : 'Error';
}
