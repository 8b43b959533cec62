import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CatalogError } from '../catalog';
import { isLedgerError, type LedgerErrorCode } from '../ledger';
import { InvalidListRequestError } from '../orders/order-list';
import { OrderError } from '../orders/order-service';
import { ApiError } from './api-error';
import { ChangeError } from '../subscriptions/change-errors';
import { FRAMEWORK_ERROR_CODES, type ApiErrorBody as ErrorBody } from '../contract';
import { invalidInput } from './validation';

const LEDGER_STATUS: Record<LedgerErrorCode, number> = {
  'LEDGER.INVALID_INPUT': 400,
  'LEDGER.TENANT_NOT_FOUND': 404,
  'LEDGER.SUBSCRIPTION_NOT_FOUND': 404,
  'LEDGER.SUBSCRIPTION_CONFLICT': 409,
  'LEDGER.SUBSCRIPTION_NOT_IN_FORCE': 409,
  'LEDGER.INVALID_TRANSITION': 409,
  'LEDGER.SEATS_EXCEEDED': 409,
  'LEDGER.PLAN_ALREADY_ASSIGNED': 409,
  'LEDGER.CHANGE_CONFLICT': 409,
  // An order id placed before with another request.
  'LEDGER.ORDER_CONFLICT': 409,
};

const ORDER_STATUS: Record<OrderError['code'], number> = {
  'ORDER.NOT_FOUND': 404,
  // An order id reused for another purchase, or a decision the order cannot take now:
  // the request conflicts with the order's state, and repeating it will not help.
  'ORDER.CONFLICT': 409,
  'ORDER.DECISION_REJECTED': 409,
};

function isFastifyClientError(error: unknown): error is FastifyError & { statusCode: number } {
  return (
    error instanceof Error &&
    'statusCode' in error &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  );
}

/**
 * The framework refuses a body before any route sees it: not JSON (or JSON that would
 * set `__proto__`), another media type, or too large. Its own codes (FST_ERR_…) are
 * internal names; clients get the same stable codes as every other error.
 */
function frameworkCode(status: number): string {
  if (status === 413) return FRAMEWORK_ERROR_CODES.bodyTooLarge;
  if (status === 415) return FRAMEWORK_ERROR_CODES.unsupportedMediaType;
  if (status === 400) return FRAMEWORK_ERROR_CODES.invalidJson;
  return 'BAD_REQUEST';
}

/** Maps an error to its status and body. Server errors say nothing of their cause. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (hasZodFastifySchemaValidationErrors(error)) {
    // A route's params, query or body failed its schema: each failing field by its path.
    return toErrorResponse(
      invalidInput(
        error.validation.map((issue) => ({
          path: issue.instancePath.split('/').slice(1).join('.'),
          message: issue.message ?? 'is invalid',
        })),
      ),
    );
  }
  if (error instanceof ApiError) {
    const { code, message, fields } = error;
    return {
      status: error.statusCode,
      body: { error: { code, message, ...(fields ? { fields } : {}) } },
    };
  }
  if (isLedgerError(error)) {
    const fields = error.field ? [{ path: error.field, message: error.message }] : undefined;
    return {
      status: LEDGER_STATUS[error.code],
      body: { error: { code: error.code, message: error.message, ...(fields ? { fields } : {}) } },
    };
  }
  if (error instanceof CatalogError) {
    // Checkout plans an order against the catalog before anything starts.
    return {
      status: 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          message: error.message,
          fields: [{ path: error.field, message: error.message }],
        },
      },
    };
  }
  if (error instanceof ChangeError) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          fields: [{ path: error.field, message: error.message }],
        },
      },
    };
  }
  if (error instanceof OrderError) {
    const fields = error.field ? [{ path: error.field, message: error.message }] : undefined;
    return {
      status: ORDER_STATUS[error.code],
      body: { error: { code: error.code, message: error.message, ...(fields ? { fields } : {}) } },
    };
  }
  if (error instanceof InvalidListRequestError) {
    return {
      status: 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          message: error.message,
          fields: [{ path: error.field, message: error.message }],
        },
      },
    };
  }
  if (isFastifyClientError(error)) {
    return {
      status: error.statusCode,
      body: { error: { code: frameworkCode(error.statusCode), message: error.message } },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: unknown, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const body: ErrorBody = {
      error: {
        code: FRAMEWORK_ERROR_CODES.notFound,
        message: `no route ${request.method} ${request.url}`,
      },
    };
    return reply.status(404).send(body);
  });
}
