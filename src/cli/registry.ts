import type { Command } from './command';

/**
 * Every `provisioner` command, by name. Each module is imported only when its command
 * runs, so `provisioner catalog ...` never loads the Temporal worker or a database.
 */
export const commands: Record<string, () => Promise<Command>> = {
  catalog: async () => (await import('./commands/catalog.js')).catalogCommand,
  entitlements: async () => (await import('./commands/entitlements.js')).entitlementsCommand,
};
