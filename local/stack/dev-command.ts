import { startLocalStack, type LocalStack } from './local-stack';
import { loadConfig } from '../../src/config';
import { installWorkerRuntime } from '../../src/runtime/start-worker';
import { startTracing } from '../../src/telemetry/tracing';
import { untilSignal } from '../../src/cli/until-signal';
import type { Command } from '../../src/cli/command';
import { scheduledJobs } from '../../src/schedules/jobs';
import { applySchedules } from '../../src/schedules/schedules';

/** `provisioner dev` (npm start): the whole product on this machine, nothing to configure. */
export const devCommand: Command = {
  summary:
    'run everything locally: Temporal dev server, worker, API, PGlite, Stripe emulator, simulators',
  usage: 'provisioner dev',
  async run(_args, io) {
    const config = loadConfig();
    await installWorkerRuntime(config);
    const tracing = startTracing(config, { service: 'provisioner' });
    const stack = await startLocalStack({ log: (line) => io.err(`${line}\n`) });
    // The renewal sweeps run on Temporal Schedules; applying is idempotent.
    const schedules = await applySchedules(
      stack.client,
      scheduledJobs(stack.config),
      stack.config.TEMPORAL_TASK_QUEUE,
    );
    io.out(describeStack(stack));
    io.out(`  schedules        ${schedules.map((s) => `${s.id} (${s.outcome})`).join(', ')}\n`);
    await untilSignal(stack.worker?.done);
    io.err('stopping...\n');
    await stack.close();
    await tracing?.shutdown();
    return 0;
  },
};

/** What `npm start` prints once everything runs: where to look, and only the keys it made. */
export function describeStack(stack: LocalStack): string {
  const { config, api, generatedApiKeys } = stack;
  // Keys from API_KEYS are the operator's secrets: never echoed to a terminal or a log.
  const checkoutKey = generatedApiKeys?.checkout ?? '<a checkout key from API_KEYS>';
  const keys = generatedApiKeys
    ? `checkout ${generatedApiKeys.checkout}\n                   ops      ${generatedApiKeys.ops}\n                   read     ${generatedApiKeys.read}`
    : 'from API_KEYS (not shown)';
  const lines = [
    'provisioner is running',
    `  API              ${api.url}   (docs: ${api.url}/docs, OpenAPI: ${api.url}/openapi.json)`,
    `  ops console      ${api.url}/console   (sign in with an ops key)`,
    `  metrics          ${api.url}/metrics${stack.worker?.metricsUrl ? `   worker: ${stack.worker.metricsUrl}` : ''}`,
    `  Temporal         ${config.TEMPORAL_ADDRESS}${stack.temporalUiUrl ? `   UI: ${stack.temporalUiUrl}` : ''}`,
    `  ledger           ${config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.PGLITE_DATA_DIR}`}`,
    `  Stripe           ${stack.stripe ? `local emulator at ${stack.stripe.url}` : 'Stripe (STRIPE_SECRET_KEY)'}`,
    `  calendar sync    ${config.CALENDAR_SYNC_URL}`,
    `  CEP              ${config.CEP_URL}`,
    `  API keys         ${keys}`,
    '',
    'Buy 3 seats of Sales Premium for tenant acme, assigned to two users:',
    `  curl -s -X POST ${api.url}/v1/orders -H 'authorization: Bearer ${checkoutKey}' \\`,
    `    -H 'content-type: application/json' -d '{"kind":"plan","orderId":"order-1","tenantId":"acme",` +
      `"plan":"sales-premium","seats":3,"period":"month","assignTo":["alice","bob"],` +
      `"customer":{"email":"billing@acme.example"},"paymentMethod":"pm_card_visa"}'`,
    `Then: curl -s ${api.url}/v1/tenants/acme/users/alice/entitlements -H 'authorization: Bearer ${checkoutKey}'`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}
