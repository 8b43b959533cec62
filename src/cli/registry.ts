import type { Command } from './command';

/**
 * Every `provisioner` command, by name. Each module is imported only when its command
 * runs, so `provisioner catalog ...` never loads the Temporal worker or a database.
 */
export const commands: Record<string, () => Promise<Command>> = {
  api: async () => (await import('./commands/api.js')).apiCommand,
  catalog: async () => (await import('./commands/catalog.js')).catalogCommand,
  ops: async () => (await import('./commands/ops.js')).opsCommand,
  orders: async () => (await import('./commands/orders.js')).ordersCommand,
  subscriptions: async () => (await import('./commands/subscriptions.js')).subscriptionsCommand,
  schedules: async () => (await import('./commands/schedules.js')).schedulesCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  entitlements: async () => (await import('./commands/entitlements.js')).entitlementsCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  reconcile: async () => (await import('./commands/reconcile.js')).reconcileCommand,
};
