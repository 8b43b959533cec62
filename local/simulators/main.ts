import { z } from 'zod';
import { describeIssue } from '../../src/provisioning/issue-field';
import { startProvisioningSimulators } from './start-simulators';

/**
 * Runs both simulators on their own (`tsx local/simulators/main.ts`) and
 * prints the variables that point the provisioning clients at them.
 */
const envSchema = z.object({
  PROVISIONING_SIMULATOR_TOKEN: z.string().min(1).default('local-provisioning-token'),
  CALENDAR_SYNC_SIMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  CEP_SIMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(4011),
});

async function main(): Promise<void> {
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    process.stderr.write(`${env.error.issues.map(describeIssue).join('\n')}\n`);
    process.exitCode = 2;
    return;
  }
  const token = env.data.PROVISIONING_SIMULATOR_TOKEN;
  const simulators = await startProvisioningSimulators({
    token,
    calendarSyncPort: env.data.CALENDAR_SYNC_SIMULATOR_PORT,
    cepPort: env.data.CEP_SIMULATOR_PORT,
  });
  process.stdout.write(
    [
      `CALENDAR_SYNC_URL=${simulators.calendarSync.url}`,
      `CALENDAR_SYNC_TOKEN=${token}`,
      `CEP_URL=${simulators.cep.url}`,
      `CEP_TOKEN=${token}`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    void simulators.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
