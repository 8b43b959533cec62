import { ADMIN_ERROR_CODES } from '../../src/provisioning/admin-error-body';
import type { FaultInjector } from './fault-injector';
import { faultRuleSchema } from './fault-rules';
import { errorResponse, parseBodyAs, type SimulatorResponse } from './simulator-response';

export const CONTROL_PREFIX = '/_simulator/';

export interface ControlContext {
  faults: FaultInjector;
  /** The live resources and counters, as `GET /_simulator/state` shows them. */
  state(): unknown;
}

/**
 * The simulator's own endpoints, for tests and people driving `npm start` by hand. They
 * need no token and ignore faults: the simulator listens on loopback only.
 */
export function handleControlRequest(
  context: ControlContext,
  request: { method: string; path: string; body: string },
): SimulatorResponse {
  const route = `${request.method} ${request.path}`;
  switch (route) {
    case 'GET /_simulator/state':
      return { status: 200, body: context.state() };
    case 'GET /_simulator/faults':
      return { status: 200, body: { faults: context.faults.list() } };
    case 'POST /_simulator/faults':
      return addFault(context, request.body);
    case 'DELETE /_simulator/faults':
      context.faults.clear();
      return { status: 204 };
    default:
      return errorResponse(404, ADMIN_ERROR_CODES.noRoute, `no endpoint ${route}`);
  }
}

function addFault(context: ControlContext, text: string): SimulatorResponse {
  const parsed = parseBodyAs(faultRuleSchema, text);
  if (!parsed.ok) return parsed.response;
  context.faults.add(parsed.value);
  return { status: 201, body: { faults: context.faults.list() } };
}
