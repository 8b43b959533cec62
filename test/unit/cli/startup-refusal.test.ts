import { runCli } from '../../../src/cli/main';

const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
});

describe('provisioner api and worker at start-up', () => {
  it.each(['api', 'worker'])(
    'when %s is started with a placeholder secret, then it exits 1 naming the variable, before opening anything',
    async (command) => {
      process.env = {
        PATH: saved.PATH,
        API_KEYS: `ops-team:ops:*:${'x'.repeat(40)}`,
        TEMPORAL_CODEC_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
        STRIPE_SECRET_KEY: 'sk_test_replace_me',
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        // Nothing answers here: a command that got past the check would fail otherwise.
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none',
      };
      let err = '';

      const code = await runCli([command], { out: () => undefined, err: (t) => (err += t) });

      expect(code).toBe(1);
      expect(err).toBe(
        `provisioner ${command}: invalid configuration:\n  STRIPE_SECRET_KEY: still holds the placeholder of .env.example; set a real secret\n`,
      );
    },
  );
});
