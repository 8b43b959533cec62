import type { FastifyInstance } from 'fastify';
import { parseApiKeys } from '../../../src/api/api-keys';
import { buildApi } from '../../../src/api/app';
import type { Ledger } from '../../../src/ledger';

export const KEYS = { checkout: 'checkout-key-0001', ops: 'ops-key-0002', read: 'read-key-0003' };

export const apiKeys = parseApiKeys(`${KEYS.checkout}:checkout,${KEYS.ops}:ops,${KEYS.read}:read`);

export function testApi(ledger: Ledger): FastifyInstance {
  return buildApi({ ledger, apiKeys });
}

export function bearer(key: string): { authorization: string } {
  return { authorization: `Bearer ${key}` };
}
