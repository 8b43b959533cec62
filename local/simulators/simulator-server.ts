import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { readBody } from '../read-body';
import { ADMIN_ERROR_CODES } from '../../src/provisioning/admin-error-body';
import { describeIssue } from '../../src/provisioning/issue-field';
import { handleAdminRequest, type AdminRoutesSpec } from './admin-routes';
import { CONTROL_PREFIX, handleControlRequest } from './control-routes';
import { createFaultInjector, type FaultDecision, type FaultInjector } from './fault-injector';
import { errorResponse, writeResponse, type SimulatorResponse } from './simulator-response';

export const simulatorOptionsSchema = z.object({
  /** 0 (the default) lets the system pick a free port: tests run side by side. */
  port: z.int().min(0).max(65_535).default(0),
  token: z.string().min(1, 'must not be empty'),
});
export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;

export interface SimulatorStats {
  /** Admin API requests received, faulted ones included; control requests excluded. */
  readonly requests: number;
  readonly creates: number;
  readonly deletes: number;
  /** Resources that exist now. */
  readonly live: number;
  /** Requests that a fail or drop rule answered instead of the API. */
  readonly injectedFaults: number;
}

export interface RunningSimulator<Resource> {
  /** Base URL, e.g. http://127.0.0.1:41234, to give a client as `baseUrl`. */
  url: string;
  faults: FaultInjector;
  /** Live counters: read them after the calls under test. */
  stats: SimulatorStats;
  resources(): Resource[];
  close(): Promise<void>;
}

export interface SimulatorSpec<Body, Resource> extends AdminRoutesSpec<Body, Resource> {
  /** The key under which `GET /_simulator/state` lists live resources (`connections`). */
  plural: string;
}

/** An admin API simulator on 127.0.0.1 with bearer auth, fault injection and in-memory state. */
export async function startSimulator<Body, Resource>(
  spec: SimulatorSpec<Body, Resource>,
  options: SimulatorOptions,
): Promise<RunningSimulator<Resource>> {
  const parsedOptions = simulatorOptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    throw new TypeError(
      `invalid simulator options: ${parsedOptions.error.issues.map(describeIssue).join('; ')}`,
    );
  }
  const { port, token } = parsedOptions.data;
  const faults = createFaultInjector();
  const pendingDelays = new Set<() => void>();
  let requests = 0;
  let injectedFaults = 0;

  const stats: SimulatorStats = {
    get requests() {
      return requests;
    },
    get creates() {
      return spec.store.creates;
    },
    get deletes() {
      return spec.store.deletes;
    },
    get live() {
      return spec.store.list().length;
    },
    get injectedFaults() {
      return injectedFaults;
    },
  };

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });

  const handleApi = async (
    request: IncomingMessage,
    response: ServerResponse,
    route: { method: string; path: string; body: string },
  ): Promise<void> => {
    requests += 1;
    const decision: FaultDecision = faults.decide(route.method, route.path);
    const answer: SimulatorResponse | undefined =
      decision.outcome === undefined ? handleAuthorized(spec, token, request, route) : undefined;
    if (decision.delayMs > 0) await delay(decision.delayMs);
    if (decision.outcome?.type === 'drop') {
      injectedFaults += 1;
      request.socket.destroy();
      return;
    }
    if (decision.outcome?.type === 'fail') {
      injectedFaults += 1;
      const { status, retryAfterSeconds } = decision.outcome;
      const headers =
        retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) };
      writeResponse(
        response,
        errorResponse(
          status,
          ADMIN_ERROR_CODES.injectedFault,
          'injected fault',
          undefined,
          headers,
        ),
      );
      return;
    }
    if (answer) writeResponse(response, answer);
  };

  const server = createServer((request, response) => {
    void (async () => {
      const method = request.method ?? 'GET';
      const path = new URL(request.url ?? '/', 'http://simulator').pathname;
      const body = await readBody(request);
      if (body === undefined) {
        writeResponse(
          response,
          errorResponse(413, ADMIN_ERROR_CODES.invalidBody, 'body too large', 'body'),
        );
        return;
      }
      if (path.startsWith(CONTROL_PREFIX)) {
        const state = () => ({ [spec.plural]: spec.store.list(), stats: { ...stats } });
        writeResponse(response, handleControlRequest({ faults, state }, { method, path, body }));
        return;
      }
      await handleApi(request, response, { method, path, body });
    })().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) writeResponse(response, errorResponse(500, 'INTERNAL', message));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${boundPort}`,
    faults,
    stats,
    resources: () => spec.store.list(),
    close: async () => {
      // Delayed answers are released into sockets that are about to close, so no timer
      // outlives the simulator.
      for (const release of [...pendingDelays]) release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function handleAuthorized<Body, Resource>(
  spec: AdminRoutesSpec<Body, Resource>,
  token: string,
  request: IncomingMessage,
  route: { method: string; path: string; body: string },
): SimulatorResponse {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (match?.[1] !== token) {
    return errorResponse(
      401,
      ADMIN_ERROR_CODES.unauthorized,
      'a valid bearer token is required',
      undefined,
      {
        'www-authenticate': 'Bearer',
      },
    );
  }
  return handleAdminRequest(spec, route);
}
