import { spawn } from 'node:child_process';

export interface RunningStripeMock {
  /** e.g. http://127.0.0.1:41234, for `createStripeClient({ baseUrl })`. */
  url: string;
  close(): Promise<void>;
}

const LISTENING = /Listening for HTTP at address: (\S+)/;

/**
 * Starts stripe-mock on free loopback ports (HTTP for us; its HTTPS listener too, which
 * would otherwise take the fixed port 12112 and clash with another run).
 */
export function startStripeMock(
  binary: string,
  options: { timeoutMs?: number } = {},
): Promise<RunningStripeMock> {
  const child = spawn(binary, ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void close();
      reject(
        new Error(`stripe-mock did not start within ${options.timeoutMs ?? 15_000} ms:\n${output}`),
      );
    }, options.timeoutMs ?? 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const address = LISTENING.exec(output)?.[1];
      if (!address) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      // Keep draining its output so a chatty mock never blocks on a full pipe.
      child.stdout.resume();
      child.stderr.resume();
      resolve({ url: `http://${address}`, close });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stripe-mock exited with ${code} before listening:\n${output}`));
    });
  });
}
