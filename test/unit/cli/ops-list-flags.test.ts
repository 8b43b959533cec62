import { runCli } from '../../../src/cli/main';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

// Nothing listens on port 1: a command that got as far as Temporal would fail differently.
beforeAll(() => {
  process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
});

describe('provisioner ops list', () => {
  it.each([
    [['--tenant', "acme' OR TenantId != '"], '--tenant: must be 1-64 characters'],
    [['--state', "completed' OR '1'='1"], '--state: must be one of received, authorizing'],
    [['--state', 'finished'], '--state: must be one of'],
    [['--page-size', '0'], '--page-size: '],
    [['--page-size', 'lots'], '--page-size: '],
    [
      ['--page-token', 'not a token!'],
      '--page-token: must be the nextPageToken of a previous page',
    ],
  ])(
    'when a filter value is %j, then it is refused naming the flag before any query',
    async (flags, message) => {
      const { code, err } = await run('ops', 'list', ...flags);

      expect(code).toBe(2);
      expect(err).toContain(`provisioner ops: ${message}`);
    },
  );
});
