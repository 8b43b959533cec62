import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The absolute path of `name` on PATH, if there is an executable of that name. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `command args` runs and exits 0 (used to probe for toolchains). */
export function succeeds(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

/**
 * Runs a long build step, forwarding each line it prints through `log` so that a
 * minutes-long first build shows what it is doing. Rejects with the tail of its output.
 */
export function runLogged(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        options.log(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}

/**
 * Starts a long-running `command args` and resolves once what it printed (stdout and
 * stderr) matches `ready`, with the match and the output up to then; rejects with that
 * output if it exits first. Its output is read to the end, so it never blocks on a full
 * pipe, but kept only until it is ready.
 */
export function startUntilReady(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; ready: RegExp },
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: string }> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let started = false;
    const onData = (chunk: Buffer) => {
      if (started) return;
      output += chunk.toString();
      const match = output.match(options.ready);
      if (!match) return;
      started = true;
      resolve({ child, match, output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${output}`)),
    );
  });
}
