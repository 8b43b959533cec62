import { parseArgs } from 'node:util';
import {
  deliveryStatusSchema,
  isLedgerError,
  listDeliveries,
  redeliver,
  type EventDelivery,
} from '../../ledger';
import { UsageError, type Command } from '../command';
import { openLedgerFromEnv } from '../ledger-from-env';

const USAGE = `provisioner events list [--subscriber NAME] [--tenant TENANT] [--status pending|delivered|dead] [--limit N] [--json]
       provisioner events redeliver EVENT_ID [--subscriber NAME]`;

/** `provisioner events`: where license events stand with each subscriber, and redelivery. */
export const eventsCommand: Command = {
  summary: 'list license event deliveries to subscribers; redeliver an event',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: true,
        options: {
          subscriber: { type: 'string' },
          tenant: { type: 'string' },
          status: { type: 'string' },
          limit: { type: 'string' },
          json: { type: 'boolean' },
        },
      });
    } catch (error: unknown) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (action !== 'list' && action !== 'redeliver') {
      throw new UsageError(
        action ? `unknown action "${action}"` : 'missing action: list or redeliver',
      );
    }
    if (values.status !== undefined && !deliveryStatusSchema.safeParse(values.status).success) {
      throw new UsageError(`--status: must be one of ${deliveryStatusSchema.options.join(', ')}`);
    }
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) {
      throw new UsageError('--limit: must be an integer from 1 to 1000');
    }
    if (action === 'redeliver' && positionals.length !== 1) {
      throw new UsageError('redeliver needs one EVENT_ID');
    }
    const ledger = await openLedgerFromEnv();
    try {
      if (action === 'list') {
        const deliveries = await listDeliveries(ledger.db, {
          subscriber: values.subscriber,
          tenantId: values.tenant,
          status: values.status as EventDelivery['status'] | undefined,
          limit,
        });
        io.out(values.json ? `${JSON.stringify(deliveries, null, 2)}\n` : describe(deliveries));
        return 0;
      }
      const eventId = positionals[0].replace(/^evt_/, '');
      const reset = await redeliver(ledger.db, eventId, values.subscriber);
      io.out(`event evt_${eventId}: ${reset} deliver${reset === 1 ? 'y' : 'ies'} queued again\n`);
      return 0;
    } catch (error: unknown) {
      if (!isLedgerError(error)) throw error;
      if (error.code === 'LEDGER.INVALID_INPUT') throw new UsageError(error.message);
      io.err(`provisioner events: ${error.message}\n`);
      return 1;
    } finally {
      await ledger.close();
    }
  },
};

function describe(deliveries: EventDelivery[]): string {
  if (deliveries.length === 0) return '(no deliveries)\n';
  return deliveries
    .map(
      (d) =>
        `evt_${d.eventId}  ${d.type.padEnd(28)} ${d.tenantId}  -> ${d.subscriber}  ${d.status}` +
        ` (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.lastError ? `, last: ${d.lastError}` : ''})\n`,
    )
    .join('');
}
