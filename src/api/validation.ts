import type { z } from 'zod';
import { FRAMEWORK_ERROR_CODES } from '../contract';
import { ApiError } from './api-error';

/** A 400 naming every failing field, as every schema failure answers. */
export function invalidInput(fields: { path: string; message: string }[]): ApiError {
  const names = [...new Set(fields.map((field) => field.path || 'request'))].join(', ');
  return new ApiError(400, FRAMEWORK_ERROR_CODES.invalidInput, `invalid ${names}`, fields);
}

/** Parses one part of a request; failures are a 400 listing every failing field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInput(
    result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  );
}
