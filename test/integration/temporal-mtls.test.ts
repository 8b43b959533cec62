import { readFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { connectClient } from '../../src/runtime/temporal';
import {
  connectionFailure,
  temporalConnectionOptions,
} from '../../src/runtime/temporal-connection';
import { orderWorkflowId } from '../../workflows/order-types';
import {
  makeCertificates,
  SERVER_NAME,
  startMtlsProxy,
  type MtlsProxy,
  type TestCertificates,
} from './support/mtls-proxy';
import { startHeaderRecordingProxy } from './support/header-recording-proxy';
import { isFinal, planOrder, startOrderStack, waitForOrder } from './support/order-stack';

let certs: TestCertificates;
let proxy: MtlsProxy;

beforeAll(async () => {
  certs = makeCertificates();
  proxy = await startMtlsProxy(certs, process.env.TEMPORAL_TEST_ADDRESS!);
});

afterAll(async () => {
  await proxy?.close();
  certs?.remove();
});

/** The cluster as a secured deployment names it: the proxy's address, its CA and name. */
const cluster = () => ({
  TEMPORAL_ADDRESS: proxy.address,
  TEMPORAL_TLS_CA: certs.caCert,
  TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
});

describe('Temporal over mutual TLS', () => {
  test('when the worker and the API hold the cluster’s client certificate, then an order completes through the TLS endpoint', async () => {
    const stack = await startOrderStack({
      ...cluster(),
      // Both forms a deployment uses: the PEM itself, and a file path.
      TEMPORAL_TLS_CERT: readFileSync(certs.clientCert, 'utf8'),
      TEMPORAL_TLS_KEY: certs.clientKey,
    });
    try {
      const order = planOrder();
      expect((await stack.http.placeOrder(order)).status).toBe(201);
      expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');
    } finally {
      await stack.close();
    }

    // The worker's native connection and the clients' each came through the proxy with
    // the client certificate.
    expect(proxy.admitted.length).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.admitted)).toEqual(new Set(['client']));
  });

  test('when a client brings no client certificate, then the connection is refused and the error says so', async () => {
    const refusedBefore = proxy.refused.length;
    const config = loadConfig(cluster());

    await expect(connectClient(config)).rejects.toThrow(
      `cannot connect to Temporal at ${proxy.address} over TLS without a client certificate (TEMPORAL_TLS_CERT unset)`,
    );
    // The worker's connection is refused alike.
    const options = temporalConnectionOptions(config);
    const native = await NativeConnection.connect(options).then(
      async (connection) => {
        await connection.close();
        return 'connected';
      },
      (error: unknown) => connectionFailure(options, error).message,
    );
    expect(native).toMatch(/^cannot connect to Temporal .* over TLS without a client certificate/);
    // The server refused the handshakes for want of a certificate.
    expect(proxy.refused.length).toBeGreaterThan(refusedBefore);
    expect(proxy.refused.slice(refusedBefore).join('\n')).toMatch(/certificate/i);
  });

  test('when a client’s certificate is signed by another CA, then the connection is refused', async () => {
    const config = loadConfig({
      ...cluster(),
      TEMPORAL_TLS_CERT: certs.strangerCert,
      TEMPORAL_TLS_KEY: certs.strangerKey,
    });

    await expect(connectClient(config)).rejects.toThrow(
      `cannot connect to Temporal at ${proxy.address} over TLS with the client certificate of TEMPORAL_TLS_CERT`,
    );
  });
});

describe('Temporal API key', () => {
  test('when TEMPORAL_API_KEY is set, then the client and the worker send it as a bearer token on every call', async () => {
    const recorder = await startHeaderRecordingProxy(process.env.TEMPORAL_TEST_ADDRESS!);
    try {
      // A plaintext server here (TEMPORAL_TLS=false); Temporal Cloud takes the same key over TLS.
      const config = loadConfig({
        TEMPORAL_ADDRESS: recorder.address,
        TEMPORAL_TLS: 'false',
        TEMPORAL_API_KEY: 'cloud-api-key-0123456789',
      });
      const client = await connectClient(config);
      try {
        // A real call, answered by the dev server (which ignores the key).
        const listed: unknown[] = [];
        const query = `WorkflowId = '${orderWorkflowId('no-such-order')}'`;
        for await (const execution of client.workflow.list({ query })) listed.push(execution);
        expect(listed).toEqual([]);
      } finally {
        await client.connection.close();
      }
      const native = await NativeConnection.connect(temporalConnectionOptions(config));
      await native.close();

      const paths = recorder.calls.map((call) => call.path);
      expect(paths).toContain(
        '/temporal.api.workflowservice.v1.WorkflowService/ListWorkflowExecutions',
      );
      expect(paths.filter((path) => path.endsWith('/GetSystemInfo')).length).toBeGreaterThanOrEqual(
        2,
      );
      expect(new Set(recorder.calls.map((call) => call.authorization))).toEqual(
        new Set(['Bearer cloud-api-key-0123456789']),
      );
    } finally {
      await recorder.close();
    }
  });
});
