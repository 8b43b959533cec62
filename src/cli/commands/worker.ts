import { loadConfig } from '../../config';
import { assertSecretsFit } from '../../runtime/secret-rules';
import { openServices } from '../../runtime/services';
import { installWorkerRuntime, startWorker } from '../../runtime/start-worker';
import { startTracing } from '../../telemetry/tracing';
import { untilSignal } from '../until-signal';
import type { Command } from '../command';

/** `provisioner worker`: runs order workflows and activities against configured services. */
export const workerCommand: Command = {
  summary: 'run the Temporal worker (orders) against the configured services',
  usage: 'provisioner worker',
  async run(_args, io) {
    const config = loadConfig();
    // Before anything opens: a refused secret should cost nothing but the message.
    assertSecretsFit(config, { service: 'worker' });
    await installWorkerRuntime(config);
    const tracing = startTracing(config, { service: 'provisioner-worker' });
    const services = await openServices(config);
    const worker = await startWorker(config, services);
    if (worker.metricsUrl) io.err(`worker metrics at ${worker.metricsUrl}\n`);
    io.err(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE}\n`);
    await untilSignal(worker.done);
    await worker.shutdown();
    await services.close();
    await tracing?.shutdown();
    return 0;
  },
};
