import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { purchaseSchema } from '../../catalog/purchase';
import { idParam } from '../../domain/ids';
import { UsageError, type Command } from '../command';
import { withOrderService } from '../order-service-from-env';

const USAGE = `provisioner orders place (--json JSON | --file PATH)
       provisioner orders show ORDER_ID`;

/** `provisioner orders`: place an order as checkout does, or read one. */
export const ordersCommand: Command = {
  summary: 'place an order (as checkout does) or show one',
  usage: USAGE,
  async run(args, io) {
    const [action, ...rest] = args;
    if (action === 'place') {
      const { values } = parse(rest, { json: { type: 'string' }, file: { type: 'string' } });
      const text = values.json ?? (values.file ? readFileSync(values.file, 'utf8') : undefined);
      if (text === undefined) throw new UsageError('place needs --json or --file');
      const purchase = purchaseSchema.safeParse(parseJson(text));
      if (!purchase.success) {
        const fields = purchase.error.issues.map(
          (i) => `${i.path.join('.') || 'order'}: ${i.message}`,
        );
        throw new UsageError(`invalid order: ${fields.join('; ')}`);
      }
      const { value: result } = await withOrderService((orders) =>
        orders.placeOrder(purchase.data),
      );
      io.out(`${JSON.stringify(result, null, 2)}\n`);
      return result.state === 'declined' ? 1 : 0;
    }
    if (action === 'show') {
      const { positionals } = parse(rest, {}, true);
      const orderId = idParam.safeParse(positionals[0]);
      if (positionals.length !== 1 || !orderId.success)
        throw new UsageError('show needs one ORDER_ID');
      const status = await withOrderService((orders) => orders.getOrder(orderId.data));
      io.out(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    throw new UsageError(action ? `unknown action "${action}"` : 'missing action: place or show');
  },
};

function parse(
  args: string[],
  options: Record<string, { type: 'string' }>,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('the order is not valid JSON');
  }
}
