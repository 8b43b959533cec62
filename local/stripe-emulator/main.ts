import { z } from 'zod';
import { startStripeEmulator } from './stripe-emulator';

/**
 * Runs the Stripe emulator on its own (`tsx local/stripe-emulator/main.ts`) and prints
 * the variables that point the payments client (and a webhook receiver) at it.
 */
const envSchema = z.object({
  STRIPE_EMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(4020),
  STRIPE_EMULATOR_SECRET_KEY: z.string().startsWith('sk_test_').optional(),
  /** Where to send events, e.g. the API's webhook route. */
  STRIPE_EMULATOR_WEBHOOK_URL: z.url().optional(),
  STRIPE_EMULATOR_WEBHOOK_SECRET: z
    .string()
    .startsWith('whsec_')
    .default('whsec_provisioner_emulator'),
});

async function main(): Promise<void> {
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    const lines = env.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exitCode = 2;
    return;
  }
  const webhookUrl = env.data.STRIPE_EMULATOR_WEBHOOK_URL;
  const webhookSecret = env.data.STRIPE_EMULATOR_WEBHOOK_SECRET;
  const emulator = await startStripeEmulator({
    port: env.data.STRIPE_EMULATOR_PORT,
    secretKey: env.data.STRIPE_EMULATOR_SECRET_KEY,
    webhooks: webhookUrl ? [{ url: webhookUrl, secret: webhookSecret }] : [],
  });
  process.stdout.write(
    [
      `Stripe emulator listening on ${emulator.url} (controls under ${emulator.url}/_emulator/)`,
      `STRIPE_API_BASE=${emulator.url}`,
      `STRIPE_SECRET_KEY=${emulator.secretKey}`,
      ...(webhookUrl ? [`STRIPE_WEBHOOK_SECRET=${webhookSecret}`] : []),
      '',
    ].join('\n'),
  );
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
