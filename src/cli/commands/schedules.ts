import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { connectClient } from '../../runtime/temporal';
import { scheduledJobs } from '../../schedules/jobs';
import {
  applySchedules,
  listSchedules,
  pauseSchedule,
  triggerSchedule,
  UnknownScheduleError,
} from '../../schedules/schedules';
import { UsageError, type Command } from '../command';

const USAGE = `provisioner schedules apply
       provisioner schedules list
       provisioner schedules pause JOB --by NAME [--reason TEXT]
       provisioner schedules unpause JOB --by NAME [--reason TEXT]
       provisioner schedules trigger JOB`;

/** `provisioner schedules`: the product's Temporal Schedules (renewal sweep, period-end changes, reconcile). */
export const schedulesCommand: Command = {
  summary: 'apply, list, pause, unpause or trigger the scheduled jobs',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: true,
        options: { by: { type: 'string' }, reason: { type: 'string' } },
      });
    } catch (error: unknown) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    const config = loadConfig();
    const jobs = scheduledJobs(config);
    const jobId = () => {
      const id = positionals[0];
      if (positionals.length !== 1 || !id) throw new UsageError(`${action} needs one JOB`);
      if (!jobs.some((job) => job.id === id)) {
        throw new UsageError(`JOB: unknown "${id}"; jobs: ${jobs.map((j) => j.id).join(', ')}`);
      }
      return id;
    };
    if (!['apply', 'list', 'pause', 'unpause', 'trigger'].includes(action ?? '')) {
      throw new UsageError(
        action
          ? `unknown action "${action}"`
          : 'missing action: apply, list, pause, unpause or trigger',
      );
    }
    const id = action === 'apply' || action === 'list' ? undefined : jobId();
    if ((action === 'pause' || action === 'unpause') && !values.by) {
      throw new UsageError('--by: say who decides');
    }

    const client = await connectClient(config);
    try {
      if (action === 'apply') {
        const applied = await applySchedules(client, jobs, config.TEMPORAL_TASK_QUEUE);
        io.out(`${JSON.stringify(applied, null, 2)}\n`);
      } else if (action === 'list') {
        io.out(`${JSON.stringify(await listSchedules(client, jobs), null, 2)}\n`);
      } else if (action === 'trigger') {
        await triggerSchedule(client, id!);
        io.out(`triggered ${id}\n`);
      } else {
        const note = `${action}d by ${values.by}${values.reason ? `: ${values.reason}` : ''}`;
        await pauseSchedule(client, id!, { paused: action === 'pause', note });
        io.out(`${note}\n`);
      }
      return 0;
    } catch (error: unknown) {
      if (error instanceof UnknownScheduleError) {
        io.err(`provisioner schedules ${action}: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      await client.connection.close();
    }
  },
};
