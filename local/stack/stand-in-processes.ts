import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Starts `tsx <script>` and resolves with what it printed once every `wanted` line is there. */
function startScript(
  script: string,
  env: Record<string, string>,
  wanted: string[],
): Promise<{ child: ChildProcess; values: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, ...env },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const values = Object.fromEntries(
        [...output.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
      );
      if (wanted.every((name) => values[name])) resolve({ child, values });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code, signal) =>
      reject(new Error(`${script} exited with ${code ?? signal}:\n${output}`)),
    );
  });
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
      ['STRIPE_API_BASE', 'STRIPE_SECRET_KEY'],
    );
    started.push(stripe.child);
    const simulators = await startScript(
      'local/simulators/main.ts',
      { CALENDAR_SYNC_SIMULATOR_PORT: '0', CEP_SIMULATOR_PORT: '0' },
      ['CALENDAR_SYNC_URL', 'CALENDAR_SYNC_TOKEN', 'CEP_URL', 'CEP_TOKEN'],
    );
    started.push(simulators.child);
    const stripeUrl = stripe.values.STRIPE_API_BASE;
    return {
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
