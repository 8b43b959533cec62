/** One `provisioner` sub-command: parses its own arguments and returns an exit code. */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[], io: CommandIo): Promise<number>;
}

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Bad arguments: the message names the argument; the process exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_USAGE = 2;
