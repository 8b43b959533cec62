import { Writable } from 'node:stream';
import { createLogger, sdkLoggerOver } from '../../../src/runtime/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().trim().split('\n')) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, sink };
}

describe('the worker logger', () => {
  it("when the SDK logs, then pino writes JSON lines at the SDK's level with its metadata, scrubbed", async () => {
    const { lines, sink } = capture();
    const sdk = sdkLoggerOver(createLogger({ level: 'info', service: 'worker' }, sink));

    sdk.warn('Activity failed', {
      activityType: 'provision',
      error: 'EWS refused admin@contoso.example',
    });
    sdk.debug('below the level');
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        service: 'worker',
        msg: 'Activity failed',
        temporal: { activityType: 'provision', error: 'EWS refused [email]' },
      }),
    ]);
  });

  it('when the level is silent, then nothing is written', async () => {
    const { lines, sink } = capture();
    const logger = createLogger({ level: 'silent', service: 'api' }, sink);

    logger.error('nothing');
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines).toEqual([]);
  });
});
