import { parseArgs } from 'node:util';
import { idParam, workflowIdParam } from '../../api/params';
import { OrderError } from '../../orders/order-service';
import { UsageError, type Command } from '../command';
import { withOrderService } from '../order-service-from-env';

const USAGE = `provisioner ops list [--tenant TENANT] [--state STATE]
       provisioner ops retry ORDER_ID --by NAME [--reason TEXT]
       provisioner ops abort ORDER_ID --by NAME [--reason TEXT]
       provisioner ops retry|abort --workflow WORKFLOW_ID --by NAME [--reason TEXT]   (a renewal)`;

/** `provisioner ops`: the orders that need attention, and the decision that unblocks one. */
export const opsCommand: Command = {
  summary: 'list orders that need attention; retry or abort one',
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
          tenant: { type: 'string' },
          state: { type: 'string' },
          by: { type: 'string' },
          reason: { type: 'string' },
          workflow: { type: 'string' },
        },
      });
    } catch (error: unknown) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (action === 'list') {
      const orders = await withOrderService((service) =>
        service.listOrders(
          values.state
            ? { tenantId: values.tenant, state: values.state }
            : { tenantId: values.tenant, needsAttention: true },
        ),
      );
      io.out(`${JSON.stringify(orders, null, 2)}\n`);
      return 0;
    }
    if ((action === 'retry' || action === 'abort') && values.workflow !== undefined) {
      const workflowId = workflowIdParam.safeParse(values.workflow);
      if (!workflowId.success || positionals.length > 0) {
        throw new UsageError(
          `--workflow: ${workflowId.error?.issues[0]?.message ?? 'takes no ORDER_ID besides'}`,
        );
      }
      if (!values.by) throw new UsageError('--by: say who decides');
      try {
        const status = await withOrderService((service) =>
          service.decideWorkflow(workflowId.data, {
            action,
            by: values.by!,
            reason: values.reason,
          }),
        );
        io.out(`${JSON.stringify(status, null, 2)}\n`);
        return 0;
      } catch (error: unknown) {
        if (error instanceof OrderError) {
          io.err(`provisioner ops ${action}: ${error.message}\n`);
          return 1;
        }
        throw error;
      }
    }
    if (action === 'retry' || action === 'abort') {
      const orderId = idParam.safeParse(positionals[0]);
      if (positionals.length !== 1 || !orderId.success) {
        throw new UsageError(`${action} needs one ORDER_ID`);
      }
      if (!values.by) throw new UsageError('--by: say who decides');
      try {
        const status = await withOrderService((service) =>
          service.decide(orderId.data, { action, by: values.by!, reason: values.reason }),
        );
        io.out(`${JSON.stringify(status, null, 2)}\n`);
        return 0;
      } catch (error: unknown) {
        if (error instanceof OrderError) {
          io.err(`provisioner ops ${action}: ${error.message}\n`);
          return 1;
        }
        throw error;
      }
    }
    throw new UsageError(
      action ? `unknown action "${action}"` : 'missing action: list, retry or abort',
    );
  },
};
