import { z } from 'zod';
import type { FormParams, FormValue } from './form-params';
import { stripeErrors } from './stripe-error';

/**
 * Zod types for form-encoded values (all strings on the wire), and the parse that turns
 * a refusal into Stripe's error naming the parameter as Stripe spells it
 * (`payment_method_data[card][number]`). Endpoint schemas are strict, so an unknown
 * parameter is refused as Stripe refuses it.
 */
export const form = {
  string: () => z.string().min(1, 'must not be empty'),
  int: () =>
    z
      .string()
      .regex(/^-?\d+$/, 'must be an integer')
      .transform(Number),
  bool: () => z.enum(['true', 'false'], 'must be true or false').transform((v) => v === 'true'),
  /** Stripe's limits: 50 keys of up to 40 characters, values of up to 500. */
  metadata: () =>
    z
      .record(z.string().max(40), z.string().max(500))
      .refine((record) => Object.keys(record).length <= 50, 'must have at most 50 keys'),
  expand: () => z.array(z.string()).optional(),
};

export function parseForm<S extends z.ZodType>(schema: S, params: FormParams): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw stripeErrors.invalid('Invalid request');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    throw stripeErrors.unknownParam(bracketed([...path, issue.keys[0] ?? '']));
  }
  const name = bracketed(path);
  if (valueAt(params, path) === undefined) throw stripeErrors.missingParam(name);
  throw stripeErrors.invalidParam(name, issue.message);
}

function bracketed(path: string[]): string {
  const [head, ...rest] = path;
  return `${head ?? ''}${rest.map((segment) => `[${segment}]`).join('')}`;
}

function valueAt(params: FormParams, path: string[]): FormValue | undefined {
  let current: FormValue | undefined = params;
  for (const segment of path) {
    if (current === undefined || typeof current === 'string') return undefined;
    current = Array.isArray(current) ? current[Number(segment)] : current[segment];
  }
  return current;
}
