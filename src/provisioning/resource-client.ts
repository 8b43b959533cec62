import type { z } from 'zod';
import {
  resolveAdminClientOptions,
  type AdminClientOptions,
  type CallOptions,
} from './admin-client-options';
import { ADMIN_ERROR_CODES, adminErrorBodySchema } from './admin-error-body';
import { createAdminHttp, errorFromResponse, type AdminResponse } from './admin-http';
import { externalIdSchema } from './external-id';
import { describeIssue, issueField } from './issue-field';
import { ProvisioningError, type ProvisioningService } from './provisioning-error';

/** A compensating delete succeeds either way: what matters is that the resource is gone. */
export type DeleteOutcome = 'deleted' | 'already-absent';

/** Disabling or enabling is a state to reach: a repeat finds it reached; a resource gone is reported. */
export type StatusOutcome = 'done' | 'absent';

export interface ResourceSpec<Body extends z.ZodType, Resource extends z.ZodType> {
  service: ProvisioningService;
  /** The collection's path, e.g. `/v1/connections`. */
  collection: string;
  /** What a resource is called in messages. */
  noun: string;
  body: Body;
  resource: Resource;
}

export interface ResourceClient<Body extends z.ZodType, Resource extends z.ZodType> {
  put: (
    externalId: string,
    body: z.input<Body>,
    options?: CallOptions,
  ) => Promise<z.output<Resource>>;
  get: (externalId: string, options?: CallOptions) => Promise<z.output<Resource> | undefined>;
  delete: (externalId: string, options?: CallOptions) => Promise<DeleteOutcome>;
  /** `POST <collection>/:externalId/disable` or `/enable`; idempotent. */
  setStatus: (
    externalId: string,
    status: 'active' | 'disabled',
    options?: CallOptions,
  ) => Promise<StatusOutcome>;
}

/**
 * Create / read / delete of one kind of resource, keyed by our external id. Creation is
 * a PUT on that id, so a retry after a timeout (when the first attempt may have landed)
 * finds the same resource instead of making a second.
 */
export function createResourceClient<Body extends z.ZodType, Resource extends z.ZodType>(
  spec: ResourceSpec<Body, Resource>,
  clientOptions: AdminClientOptions,
): ResourceClient<Body, Resource> {
  const { service } = spec;
  const send = createAdminHttp(service, resolveAdminClientOptions(clientOptions));

  const pathOf = (externalId: string): string => {
    const parsed = externalIdSchema.safeParse(externalId);
    if (!parsed.success) throw invalidInput(service, 'externalId', parsed.error.issues[0]?.message);
    return `${spec.collection}/${encodeURIComponent(parsed.data)}`;
  };

  const parseResource = (
    request: { method: string; path: string },
    response: AdminResponse,
  ): z.output<Resource> => {
    const parsed = spec.resource.safeParse(response.body);
    if (parsed.success) return parsed.data;
    // A 2xx we cannot read is the service's fault, not the request's; retrying is safe
    // because every call is idempotent, and a persistent mismatch ends with ops.
    const reason = parsed.error.issues.map(describeIssue).join('; ');
    throw new ProvisioningError(
      `${service} ${request.method} ${request.path} answered ${response.status} with a body that is not a ${spec.noun}: ${reason}`,
      { code: 'PROVISIONING.UNAVAILABLE', retryable: true, service, status: response.status },
    );
  };

  return {
    async put(externalId, body, options) {
      const path = pathOf(externalId);
      const parsedBody = spec.body.safeParse(body);
      if (!parsedBody.success) {
        const issue = parsedBody.error.issues[0];
        throw invalidInput(service, issue ? issueField(issue) : 'body', issue?.message);
      }
      const request = { method: 'PUT', path } as const;
      const response = await send({ ...request, body: parsedBody.data, signal: options?.signal });
      if (!isOk(response)) throw errorFromResponse(service, request, response);
      return parseResource(request, response);
    },

    async get(externalId, options) {
      const request = { method: 'GET', path: pathOf(externalId) } as const;
      const response = await send({ ...request, signal: options?.signal });
      if (isResourceNotFound(response)) return undefined;
      if (!isOk(response)) throw errorFromResponse(service, request, response);
      return parseResource(request, response);
    },

    async setStatus(externalId, status, options) {
      const action = status === 'active' ? 'enable' : 'disable';
      const request = { method: 'POST', path: `${pathOf(externalId)}/${action}` } as const;
      const response = await send({ ...request, signal: options?.signal });
      if (isResourceNotFound(response)) return 'absent';
      if (!isOk(response)) throw errorFromResponse(service, request, response);
      return 'done';
    },

    async delete(externalId, options) {
      const request = { method: 'DELETE', path: pathOf(externalId) } as const;
      const response = await send({ ...request, signal: options?.signal });
      if (isResourceNotFound(response)) return 'already-absent';
      if (!isOk(response)) throw errorFromResponse(service, request, response);
      return 'deleted';
    },
  };
}

function isOk(response: AdminResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** Only the service's own NOT_FOUND: a 404 from a wrong base URL is an error, not "gone". */
function isResourceNotFound(response: AdminResponse): boolean {
  if (response.status !== 404) return false;
  const parsed = adminErrorBodySchema.safeParse(response.body);
  return parsed.success && parsed.data.error.code === ADMIN_ERROR_CODES.notFound;
}

function invalidInput(
  service: ProvisioningService,
  field: string,
  message = 'is invalid',
): ProvisioningError {
  return new ProvisioningError(`${service}: ${field}: ${message}`, {
    code: 'PROVISIONING.INVALID_REQUEST',
    retryable: false,
    service,
    field,
  });
}
