import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';

/** How long the JVM may take to listen: seconds on an idle machine, far more on a loaded one. */
const STARTUP_TIMEOUT_MS = 90_000;

/**
 * The time-skipping environment on a test server this process starts itself, waiting as
 * long as the JVM needs to listen. The SDK gives a server it starts a fixed 5 s and then
 * kills it, which a JVM on a loaded 2-core machine often exceeds. The environment is the
 * SDK's own time-skipping one (its client unlocks skipped time while awaiting a result);
 * the SDK builds it for an existing server only through its internal factory, so this
 * leans on `@temporalio/testing` 1.24, pinned exactly in package.json. Its teardown also
 * stops the server.
 */
export async function startTestServerPatiently(
  executablePath: string,
  dataConverter: DataConverter | undefined,
): Promise<TestWorkflowEnvironment> {
  const port = await freePort();
  const child = spawn(executablePath, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const exited = once(child, 'exit');
  // A test file that gives up before its teardown (a hook timeout) must neither leave the
  // JVM running nor keep jest from exiting.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.unref();
  (child.stderr as Socket).unref();
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await listening(port, () => child.exitCode !== null, STARTUP_TIMEOUT_MS);
    const create = (
      TestWorkflowEnvironment as unknown as {
        create(options: unknown): Promise<TestWorkflowEnvironment>;
      }
    ).create.bind(TestWorkflowEnvironment);
    const env = await create({
      server: { type: 'existing' },
      client: { dataConverter },
      namespace: 'default',
      supportsTimeSkipping: true,
      address: `127.0.0.1:${port}`,
    });
    const teardown = env.teardown.bind(env);
    env.teardown = async () => {
      await teardown();
      await stop();
    };
    return env;
  } catch (error: unknown) {
    await stop();
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`${cause}${output ? `\ntest server output:\n${output}` : ''}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no free port'));
      });
    });
  });
}

async function listening(port: number, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error('the test server exited before it listened');
    if (await accepts(port)) return;
    if (Date.now() > deadline) {
      throw new Error(`the test server did not listen on port ${port} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
