import type { z } from 'zod';
import { ApiError } from './api-error';

/** Parses one part of a request; failures are a 400 listing every failing field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const names = [...new Set(fields.map((field) => field.path || 'request'))].join(', ');
  throw new ApiError(400, 'INVALID_INPUT', `invalid ${names}`, fields);
}
