import { EXIT_USAGE, UsageError, type CommandIo } from './command';
import { commands } from './registry';

/** The one `provisioner` binary: dispatches to a command of ./registry. */

function help(): string {
  const names = Object.keys(commands).sort();
  return `usage: provisioner <command> [options]\n\ncommands: ${names.join(', ')}\n`;
}

export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    io.out(help());
    return name ? 0 : EXIT_USAGE;
  }
  const load = commands[name];
  if (!load) {
    io.err(`provisioner: unknown command '${name}'\n${help()}`);
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
    throw error;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
