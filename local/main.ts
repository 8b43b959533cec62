import { runMain } from '../src/cli/main';
import { commands } from '../src/cli/registry';

/**
 * The `provisioner` command line of a source checkout: every product command, plus
 * `dev`, which runs the product on the local stand-ins in this folder (`npm start`).
 * A production build runs src/cli/main.ts, which has no `dev`.
 */
runMain({
  ...commands,
  dev: async () => (await import('./stack/dev-command.js')).devCommand,
});
