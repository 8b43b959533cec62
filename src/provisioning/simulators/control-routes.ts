import { ADMIN_ERROR_CODES } from '../admin-error-body';
import { issueField } from '../issue-field';
import type { FaultInjector } from './fault-injector';
import { faultRuleSchema } from './fault-rules';
import { errorResponse, parseJsonBody, type SimulatorResponse } from './simulator-response';

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
  const json = parseJsonBody(text);
  if (!json.ok)
    return errorResponse(400, ADMIN_ERROR_CODES.invalidBody, 'body is not JSON', 'body');
  const parsed = faultRuleSchema.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issueField(issue) : 'body';
    return errorResponse(
      400,
      ADMIN_ERROR_CODES.invalidBody,
      `${field}: ${issue?.message ?? 'is invalid'}`,
      field,
    );
  }
  context.faults.add(parsed.data);
  return { status: 201, body: { faults: context.faults.list() } };
}
