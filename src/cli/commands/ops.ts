import { parseArgs } from 'node:util';
import { idParam, workflowIdParam } from '../../domain/ids';
import { orderListQuery } from '../../contract';
import { OrderError } from '../../orders/order-service';
import { UsageError, type Command } from '../command';
import { withOrderService } from '../order-service-from-env';

const USAGE = `provisioner ops list [--tenant TENANT] [--state STATE] [--page-size N] [--page-token TOKEN]
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
          'page-size': { type: 'string' },
          'page-token': { type: 'string' },
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
      const filter = parseListFlags(values);
      const page = await withOrderService((service) =>
        service.listOrders(
          filter.state
            ? { tenantId: filter.tenantId, state: filter.state }
            : { tenantId: filter.tenantId, needsAttention: true },
          { pageSize: filter.pageSize, nextPageToken: filter.nextPageToken },
        ),
      );
      io.out(`${JSON.stringify(page, null, 2)}\n`);
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
        const { value: status } = await withOrderService((service) =>
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

const LIST_FLAGS: Record<string, string> = {
  tenantId: '--tenant',
  state: '--state',
  pageSize: '--page-size',
  nextPageToken: '--page-token',
};

/**
 * The list filter, held to the API's own rules before anything reaches a visibility
 * query: a tenant id, a known state, a page size and a token of a previous page.
 */
function parseListFlags(values: Record<string, string | boolean | undefined>) {
  const parsed = orderListQuery.safeParse({
    tenantId: values.tenant,
    state: values.state,
    pageSize: values['page-size'],
    nextPageToken: values['page-token'],
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const flag = LIST_FLAGS[String(issue.path[0])] ?? String(issue.path[0]);
  throw new UsageError(`${flag}: ${issue.message}`);
}
