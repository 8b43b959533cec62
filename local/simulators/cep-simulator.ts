import {
  PORTALS_PATH,
  portalBodySchema,
  type Portal,
  type PortalBody,
} from '../../src/provisioning/cep-contract';
import { createResourceStore } from './resource-store';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator-server';

export type CepSimulator = RunningSimulator<Portal>;

/**
 * A local CEP admin service: `PUT|GET|DELETE /v1/portals/:externalId`. Like the real
 * platform, a slug names one portal host, so a slug in use by another portal is a 409.
 */
export function startCepSimulator(options: SimulatorOptions): Promise<CepSimulator> {
  const store = createResourceStore<PortalBody, Portal>({
    build: ({ id, externalId, createdAt }, { tenantId, languages, slug }) => ({
      id,
      externalId,
      tenantId,
      // `.test` is reserved (RFC 2606): the simulated portal is never mistaken for a real one.
      url: `https://${slug ?? id}.portals.cep.test/`,
      languages,
      ...(slug === undefined ? {} : { slug }),
      status: 'active',
      createdAt,
    }),
    contentOf: ({ tenantId, languages, slug }) => ({
      tenantId,
      languages,
      ...(slug === undefined ? {} : { slug }),
    }),
    withStatus: (portal, status) => ({ ...portal, status }),
    clashWith: ({ slug }, others) =>
      slug !== undefined && others.some((portal) => portal.slug === slug)
        ? { field: 'slug', message: `slug ${slug} is used by another portal` }
        : undefined,
  });
  return startSimulator(
    { collection: PORTALS_PATH, noun: 'portal', plural: 'portals', body: portalBodySchema, store },
    options,
  );
}
