import { z } from 'zod';

/**
 * Business ids (tenant, user, subscription, order) and catalog keys (plans, add-ons,
 * features) as the ledger stores them: opaque strings from the caller, limited to
 * characters safe in URLs, logs and idempotency keys.
 */
export const ledgerId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 characters among A-Z a-z 0-9 _ . : -');

export const catalogKey = ledgerId;

// By tag rather than instanceof: PGlite's rows come from its worker thread, and under a
// sandboxed runtime (jest's vm) their Dates belong to another realm.
const dateLike = z.custom<Date>(
  (value) => Object.prototype.toString.call(value) === '[object Date]',
  'must be a timestamp',
);

/**
 * Times leave the ledger as ISO-8601 strings, whichever engine returned them. A codec,
 * not a transform: the API's serializer encodes its answers with these schemas, and an
 * ISO string encodes as itself.
 */
export const isoTimestamp = z.codec(
  z.union([dateLike, z.string()]),
  z.string().meta({ format: 'date-time' }),
  { decode: (value) => new Date(value).toISOString(), encode: (value) => value },
);

/** node-postgres returns bigint as a string and PGlite as a number: ids are strings. */
export const rowId = z.codec(z.union([z.string(), z.number(), z.bigint()]), z.string(), {
  decode: String,
  encode: (value) => value,
});

/** An instant accepted from callers: an ISO-8601 string with offset, or a Date. */
export const instantInput = z
  .union([z.date(), z.iso.datetime({ offset: true })])
  .transform((value) => new Date(value).toISOString());
