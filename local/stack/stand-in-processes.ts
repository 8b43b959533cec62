import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startUntilReady } from '../binaries/run-command';

const root = join(__dirname, '..', '..');

/**
 * Starts `tsx <script>` and resolves once it printed its `last` variable, with every
 * `NAME=value` line it printed.
 */
async function startScript(script: string, env: Record<string, string>, last: string) {
  const { child, output } = await startUntilReady(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    ready: new RegExp(`^${last}=\\S+\\n`, 'm'),
  });
  const values = Object.fromEntries(
    [...output.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
  );
  return { child, values };
}

/**
 * The Stripe emulator and the provisioning simulators, each in a process of its own, as
 * the services they stand in for are: a benchmark then measures the product's process
 * alone. `env` is what points the product at them (Stripe's base URL and key, the
 * simulators' URLs and token, the webhook secret); `addWebhookEndpoint` tells the
 * emulator where to deliver events once the API listens.
 */
export async function startStandInProcesses() {
  const webhookSecret = 'whsec_provisioner_stand_in';
  const started: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      started.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.removeAllListeners('exit');
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    const stripe = await startScript(
      'local/stripe-emulator/main.ts',
      { STRIPE_EMULATOR_PORT: '0' },
      'STRIPE_SECRET_KEY',
    );
    started.push(stripe.child);
    const simulators = await startScript(
      'local/simulators/main.ts',
      { CALENDAR_SYNC_SIMULATOR_PORT: '0', CEP_SIMULATOR_PORT: '0' },
      'CEP_TOKEN',
    );
    started.push(simulators.child);
    const stripeUrl = stripe.values.STRIPE_API_BASE;
    return {
      pids: started.flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
      env: {
        ...stripe.values,
        ...simulators.values,
        STRIPE_WEBHOOK_SECRET: webhookSecret,
      } as Record<string, string>,
      async addWebhookEndpoint(url: string, enabledEvents: readonly string[]): Promise<void> {
        const response = await fetch(`${stripeUrl}/_emulator/webhooks/endpoints`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url, secret: webhookSecret, enabledEvents }),
        });
        if (!response.ok) throw new Error(`webhook endpoint refused: ${await response.text()}`);
      },
      close: stop,
    };
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}
