// A workflow around the step runner alone, for what no order's step does today: an act
// that throws before it has a promise.
import { defineQuery, setHandler } from '@temporalio/workflow';
import { attendedSteps, type AttendedStatus } from '../../../workflows/attended-steps';

export type StepTestStatus = AttendedStatus<'running', 'act'>;

export const stepTestStatusQuery = defineQuery<StepTestStatus>('stepTestStatus');

/** Runs one step whose first attempt throws synchronously and whose second succeeds. */
export async function stepThrowingBeforeItsPromise(): Promise<string> {
  const status: StepTestStatus = {
    state: 'running',
    stepsDone: [],
    compensationsDone: [],
    decisions: [],
  };
  setHandler(stepTestStatusQuery, () => status);
  const steps = attendedSteps(status, {
    attentionDeadlineMs: 60 * 60 * 1000,
    label: 'step test',
    // Listed as one value throughout: no search attribute is written.
    listing: { listedAs: () => 'running', initial: 'running' },
  });
  let attempts = 0;
  return steps.runStep('act', 'running', () => {
    attempts++;
    if (attempts === 1) throw new Error('no promise yet');
    return Promise.resolve(`done after ${attempts} attempts`);
  });
}
