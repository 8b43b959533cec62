import type { z } from 'zod';
import { ADMIN_ERROR_CODES } from '../../src/provisioning/admin-error-body';
import { externalIdSchema } from '../../src/provisioning/external-id';
import type { ResourceStore } from './resource-store';
import { errorResponse, parseBodyAs, type SimulatorResponse } from './simulator-response';

export interface AdminRoutesSpec<Body, Resource> {
  /** The collection's path, e.g. `/v1/connections`. */
  collection: string;
  /** What a resource is called in messages. */
  noun: string;
  body: z.ZodType<Body>;
  store: ResourceStore<Body, Resource>;
}

/** `PUT`, `GET` and `DELETE` on `<collection>/:externalId`, for an authorized request. */
export function handleAdminRequest<Body, Resource>(
  spec: AdminRoutesSpec<Body, Resource>,
  request: { method: string; path: string; body: string },
): SimulatorResponse {
  const prefix = `${spec.collection}/`;
  let segment = request.path.startsWith(prefix) ? request.path.slice(prefix.length) : undefined;
  const action = segment === undefined ? null : /^([^/]+)\/(enable|disable)$/.exec(segment);
  if (action) segment = action[1];
  if (segment === undefined || segment.length === 0 || segment.includes('/')) {
    return errorResponse(404, ADMIN_ERROR_CODES.noRoute, `no endpoint at ${request.path}`);
  }
  const externalId = externalIdSchema.safeParse(safeDecode(segment));
  if (!externalId.success) {
    const message = externalId.error.issues[0]?.message ?? 'is invalid';
    return errorResponse(400, ADMIN_ERROR_CODES.invalidBody, `externalId ${message}`, 'externalId');
  }
  const id = externalId.data;

  if (action) {
    if (request.method !== 'POST') {
      return errorResponse(
        405,
        ADMIN_ERROR_CODES.methodNotAllowed,
        `${request.method} is not allowed on ${request.path}`,
        undefined,
        { allow: 'POST' },
      );
    }
    const resource = spec.store.setStatus(id, action[2] === 'enable' ? 'active' : 'disabled');
    return resource === undefined ? notFound(spec, id) : { status: 200, body: resource };
  }

  switch (request.method) {
    case 'PUT':
      return put(spec, id, request.body);
    case 'GET': {
      const resource = spec.store.get(id);
      return resource === undefined ? notFound(spec, id) : { status: 200, body: resource };
    }
    case 'DELETE':
      return spec.store.delete(id) ? { status: 204 } : notFound(spec, id);
    default:
      return errorResponse(
        405,
        ADMIN_ERROR_CODES.methodNotAllowed,
        `${request.method} is not allowed on a ${spec.noun}`,
        undefined,
        { allow: 'GET, PUT, DELETE' },
      );
  }
}

function put<Body, Resource>(
  spec: AdminRoutesSpec<Body, Resource>,
  externalId: string,
  text: string,
): SimulatorResponse {
  const parsed = parseBodyAs(spec.body, text);
  if (!parsed.ok) return parsed.response;
  const result = spec.store.put(externalId, parsed.value);
  switch (result.kind) {
    case 'created':
      return { status: 201, body: result.resource };
    case 'existing':
      return { status: 200, body: result.resource };
    case 'conflict':
      return errorResponse(409, ADMIN_ERROR_CODES.conflict, result.message, result.field);
  }
}

function notFound<Body, Resource>(
  spec: AdminRoutesSpec<Body, Resource>,
  externalId: string,
): SimulatorResponse {
  return errorResponse(404, ADMIN_ERROR_CODES.notFound, `no ${spec.noun} ${externalId}`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
