import { ConfigError, loadConfig } from '../../../src/config';
import { workerTuningOf } from '../../../src/worker/create-worker';

describe("the worker's tuning", () => {
  it('when nothing is set, then it has the defaults that fit a 2-core machine', () => {
    expect(workerTuningOf(loadConfig({}))).toEqual({
      maxConcurrentActivities: 32,
      maxConcurrentLocalActivities: 32,
      maxConcurrentWorkflowTasks: 20,
      maxCachedWorkflows: 1000,
      workflowPollers: 10,
      activityPollers: 4,
    });
  });

  it('when only the concurrent workflow tasks are set, then the workflow pollers follow them up to 10', () => {
    expect(
      workerTuningOf(loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4' })).workflowPollers,
    ).toBe(4);
    expect(
      workerTuningOf(loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40' })).workflowPollers,
    ).toBe(10);
  });

  it('when the environment sets it, then the worker gets those values', () => {
    const config = loadConfig({
      WORKER_MAX_CONCURRENT_ACTIVITIES: '64',
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '48',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '30',
      WORKER_MAX_CACHED_WORKFLOWS: '0',
      WORKER_WORKFLOW_POLLERS: '8',
      WORKER_ACTIVITY_POLLERS: '16',
    });
    expect(workerTuningOf(config)).toEqual({
      maxConcurrentActivities: 64,
      maxConcurrentLocalActivities: 48,
      maxConcurrentWorkflowTasks: 30,
      maxCachedWorkflows: 0,
      workflowPollers: 8,
      activityPollers: 16,
    });
  });

  it('when a value is not a number in range, then start-up fails naming the variable', () => {
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' })).toThrow(
      /WORKER_MAX_CONCURRENT_ACTIVITIES/,
    );
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/,
    );
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '0' })).toThrow(
      /WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES/,
    );
  });

  it('when there are more pollers than tasks they could start, then start-up fails naming the poller variable', () => {
    expect(() =>
      loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4', WORKER_WORKFLOW_POLLERS: '6' }),
    ).toThrow(
      /WORKER_WORKFLOW_POLLERS: must not exceed WORKER_MAX_CONCURRENT_WORKFLOW_TASKS \(4\)/,
    );
    expect(() =>
      loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: '2', WORKER_ACTIVITY_POLLERS: '3' }),
    ).toThrow(/WORKER_ACTIVITY_POLLERS: must not exceed WORKER_MAX_CONCURRENT_ACTIVITIES \(2\)/);
  });
});
