import type { FastifyInstance } from 'fastify';
import { parseApiKeys } from '../../../src/api/api-keys';
import { buildApi } from '../../../src/api/app';
import type { Ledger } from '../../../src/ledger';

/** Keys of every tenant, one per role (as a central service or ops team would hold). */
export const KEYS = {
  checkout: 'checkout-key-0001-aaaaaaaaaaaaaaaaaaaa',
  ops: 'ops-key-0002-bbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  read: 'read-key-0003-cccccccccccccccccccccccccc',
};

export const API_KEYS_CONFIG = [
  `shop:checkout:*:${KEYS.checkout}`,
  `ops-team:ops:*:${KEYS.ops}`,
  `reports:read:*:${KEYS.read}`,
].join(',');

export const apiKeys = parseApiKeys(API_KEYS_CONFIG);

export function testApi(ledger: Ledger): FastifyInstance {
  return buildApi({ ledger, apiKeys });
}

export function bearer(key: string): { authorization: string } {
  return { authorization: `Bearer ${key}` };
}
