import { ConfigError } from '../config';
import { EXIT_USAGE, UsageError, type Command, type CommandIo } from './command';
import { commands } from './registry';

/** The one `provisioner` binary: dispatches to a command of ./registry. */

export type CommandRegistry = Record<string, () => Promise<Command>>;

function help(registry: CommandRegistry): string {
  const names = Object.keys(registry).sort();
  return `usage: provisioner <command> [options]\n\ncommands: ${names.join(', ')}\n`;
}

export async function runCli(
  argv: string[],
  io: CommandIo,
  registry: CommandRegistry = commands,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    io.out(help(registry));
    return name ? 0 : EXIT_USAGE;
  }
  const load = registry[name];
  if (!load) {
    io.err(`provisioner: unknown command '${name}'\n${help(registry)}`);
    return EXIT_USAGE;
  }
  const command = await load();
  try {
    return await command.run(rest, io);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.err(`provisioner ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    // A refused setting names its variable; a stack trace would only bury it.
    if (error instanceof ConfigError) {
      io.err(`provisioner ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** Runs the process's own arguments and sets its exit code. */
export function runMain(registry: CommandRegistry = commands): void {
  void runCli(
    process.argv.slice(2),
    {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    },
    registry,
  ).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runMain();
