import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import Fastify from 'fastify';
import { baselineActivities } from './activities';
import type { baselineOrderWorkflow, BaselineShape } from './workflows';
import { baselineCheckout, baselineState } from './workflows';

const TASK_QUEUE = 'bench-baseline';

/** The body `POST /v1/orders` takes: the bench sends both halves the same. */
export type OrderBody = { orderId: string } & Record<string, unknown>;

/**
 * The baseline behind the same HTTP shape as the API: `POST /v1/orders` starts the
 * no-op workflow with update-with-start and answers after its "authorize";
 * `GET /v1/orders/:id` queries its state. Bare Fastify, no auth, no validation.
 */
export async function startBaseline(options: {
  client: Client;
  address: string;
  /** The activities the no-op runs for an order, from the order's body. */
  steps: (order: OrderBody) => number;
  /** Steps as activities (the default) or as the product's local activities. */
  shape?: BaselineShape;
}) {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('./workflows'),
    activities: baselineActivities,
  });
  const running = worker.run();
  const app = Fastify({ logger: false });
  app.post<{ Body: OrderBody }>('/v1/orders', async (request, reply) => {
    const { orderId } = request.body;
    const start = new WithStartWorkflowOperation<typeof baselineOrderWorkflow>(
      'baselineOrderWorkflow',
      {
        workflowId: `baseline-${orderId}`,
        taskQueue: TASK_QUEUE,
        args: [options.steps(request.body), options.shape ?? 'activities'],
        workflowIdConflictPolicy: 'USE_EXISTING',
      },
    );
    const state = await options.client.workflow.executeUpdateWithStart(baselineCheckout, {
      startWorkflowOperation: start,
      updateId: `checkout-${orderId}`,
    });
    return reply.code(201).send({ orderId, state });
  });
  app.get<{ Params: { id: string } }>('/v1/orders/:id', async (request) => ({
    orderId: request.params.id,
    state: await options.client.workflow
      .getHandle(`baseline-${request.params.id}`)
      .query(baselineState),
  }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
