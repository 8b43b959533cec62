import type { AdminClientOptions, CallOptions } from './admin-client-options';
import {
  PORTALS_PATH,
  portalBodySchema,
  portalSchema,
  type Portal,
  type PortalBody,
} from './cep-contract';
import { createResourceClient, type DeleteOutcome, type StatusOutcome } from './resource-client';

/** `externalId` is derived from business ids (`cep-<subscriptionId>`), never random. */
export type CreatePortalInput = { externalId: string } & PortalBody;

export interface CepClient {
  /** Idempotent: the same input again returns the existing portal (CONFLICT if it differs). */
  createPortal: (input: CreatePortalInput, options?: CallOptions) => Promise<Portal>;
  getPortal: (externalId: string, options?: CallOptions) => Promise<Portal | undefined>;
  /** Idempotent: a portal that is already gone counts as deleted. */
  deletePortal: (externalId: string, options?: CallOptions) => Promise<DeleteOutcome>;
  /** Takes the portal offline, keeping it (a suspended subscription); idempotent. */
  disablePortal: (externalId: string, options?: CallOptions) => Promise<StatusOutcome>;
  /** Serves the portal again after a suspension; idempotent. */
  enablePortal: (externalId: string, options?: CallOptions) => Promise<StatusOutcome>;
}

export function createCepClient(options: AdminClientOptions): CepClient {
  const portals = createResourceClient(
    {
      service: 'cep',
      collection: PORTALS_PATH,
      noun: 'portal',
      body: portalBodySchema,
      resource: portalSchema,
    },
    options,
  );
  return {
    createPortal: ({ externalId, ...body }, callOptions) =>
      portals.put(externalId, body, callOptions),
    getPortal: portals.get,
    deletePortal: portals.delete,
    disablePortal: (externalId, callOptions) =>
      portals.setStatus(externalId, 'disabled', callOptions),
    enablePortal: (externalId, callOptions) => portals.setStatus(externalId, 'active', callOptions),
  };
}
