import type { AdminClientOptions, CallOptions } from './admin-client-options';
import {
  PORTALS_PATH,
  portalBodySchema,
  portalSchema,
  type Portal,
  type PortalBody,
} from './cep-contract';
import { createResourceClient, type DeleteOutcome } from './resource-client';

/** `externalId` is derived from business ids (`cep-<subscriptionId>`), never random. */
export type CreatePortalInput = { externalId: string } & PortalBody;

export interface CepClient {
  /** Idempotent: the same input again returns the existing portal (CONFLICT if it differs). */
  createPortal: (input: CreatePortalInput, options?: CallOptions) => Promise<Portal>;
  getPortal: (externalId: string, options?: CallOptions) => Promise<Portal | undefined>;
  /** Idempotent: a portal that is already gone counts as deleted. */
  deletePortal: (externalId: string, options?: CallOptions) => Promise<DeleteOutcome>;
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
  };
}
