import type { FastifyRequest } from 'fastify';
import { LedgerError } from '../ledger';
import { coversTenant, type TenantScope } from './api-keys';

/**
 * The 404 a tenant outside the caller's key gets: the very answer of a tenant the ledger
 * does not know, so a key cannot tell another tenant's data from no data at all.
 */
export function unknownTenant(tenantId: string): LedgerError {
  return new LedgerError('LEDGER.TENANT_NOT_FOUND', `tenant ${tenantId} is unknown`, 'tenantId');
}

/** The tenants the caller's key covers; nothing on public routes. */
export function tenantScopeOf(request: FastifyRequest): TenantScope {
  return request.apiKey?.tenants ?? new Set();
}

/**
 * The tenant rule, one line per route: throws the resource's own "not found" (by
 * default the unknown tenant's) unless the caller's key covers `tenantId`. Call it
 * before answering anything read from that tenant, and before acting for it.
 */
export function assertTenantAccess(
  request: FastifyRequest,
  tenantId: string,
  notFound: () => Error = () => unknownTenant(tenantId),
): void {
  if (!coversTenant(tenantScopeOf(request), tenantId)) throw notFound();
}
