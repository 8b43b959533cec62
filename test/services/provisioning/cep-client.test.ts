import {
  createCepClient,
  type CepClient,
  type CreatePortalInput,
} from '../../../src/provisioning/cep-client';
import { startCepSimulator, type CepSimulator } from '../../../local/simulators/cep-simulator';
import { provisioningFailure } from './provisioning-failure';

const TOKEN = 'cep-test-token';
let simulator: CepSimulator;
let client: CepClient;

beforeEach(async () => {
  simulator = await startCepSimulator({ token: TOKEN });
  client = createCepClient({ baseUrl: simulator.url, token: TOKEN, timeoutMs: 2_000 });
});

afterEach(async () => {
  await simulator.close();
});

const portal: CreatePortalInput = {
  externalId: 'cep-sub-7',
  tenantId: 'tenant-7',
  languages: ['en', 'nb'],
  slug: 'contoso-support',
};

async function liveState(): Promise<{ portals: { externalId: string }[] }> {
  const response = await fetch(`${simulator.url}/_simulator/state`);
  return (await response.json()) as { portals: { externalId: string }[] };
}

describe('creating a portal', () => {
  test('when the same portal is created twice under one external id, then one portal exists and both calls return it', async () => {
    const first = await client.createPortal(portal);
    const second = await client.createPortal(portal);

    expect(second).toEqual(first);
    expect(first).toMatchObject({
      externalId: 'cep-sub-7',
      tenantId: 'tenant-7',
      languages: ['en', 'nb'],
      url: 'https://contoso-support.portals.cep.test/',
    });
    expect(simulator.stats).toMatchObject({ creates: 1, live: 1 });
  });

  test('when no slug is given, then the portal still gets its own URL', async () => {
    const created = await client.createPortal({
      externalId: 'cep-sub-8',
      tenantId: 't',
      languages: ['sv'],
    });

    expect(created.slug).toBeUndefined();
    expect(new URL(created.url).protocol).toBe('https:');
  });

  test('when the external id exists with other languages, then a non-retryable conflict and the portal is unchanged', async () => {
    const original = await client.createPortal(portal);

    const error = await provisioningFailure(client.createPortal({ ...portal, languages: ['en'] }));

    expect(error).toMatchObject({ code: 'PROVISIONING.CONFLICT', retryable: false, status: 409 });
    expect(await client.getPortal('cep-sub-7')).toEqual(original);
  });

  test('when another portal already uses the slug, then a non-retryable conflict naming slug and no second portal', async () => {
    await client.createPortal(portal);

    const error = await provisioningFailure(
      client.createPortal({ ...portal, externalId: 'cep-sub-9', tenantId: 'tenant-9' }),
    );

    expect(error).toMatchObject({ code: 'PROVISIONING.CONFLICT', retryable: false, field: 'slug' });
    expect(await client.getPortal('cep-sub-9')).toBeUndefined();
  });

  test.each([
    [{ languages: [] }, 'languages'],
    [{ languages: ['xx'] }, 'languages.0'],
    [{ languages: ['en', 'english'] }, 'languages.1'],
    [{ languages: ['en', 'EN'] }, 'languages'],
    [{ slug: '-contoso' }, 'slug'],
    [{ slug: 'Contoso Support' }, 'slug'],
    [{ tenantId: '' }, 'tenantId'],
    [{ theme: 'dark' }, 'theme'],
  ])(
    'when the portal has %j, then the create fails naming %s and nothing is sent',
    async (change, field) => {
      const error = await provisioningFailure(client.createPortal({ ...portal, ...change }));

      expect(error).toMatchObject({
        code: 'PROVISIONING.INVALID_REQUEST',
        retryable: false,
        field,
      });
      expect(error.message).toContain(field);
      expect(simulator.stats.requests).toBe(0);
    },
  );
});

describe('deleting a portal', () => {
  test('when a portal is deleted twice, then both deletes succeed and the service no longer lists it', async () => {
    await client.createPortal(portal);
    await client.createPortal({ ...portal, externalId: 'cep-sub-8', slug: 'fabrikam' });

    expect(await client.deletePortal('cep-sub-7')).toBe('deleted');
    expect(await client.deletePortal('cep-sub-7')).toBe('already-absent');

    expect((await liveState()).portals.map((p) => p.externalId)).toEqual(['cep-sub-8']);
    expect(simulator.stats).toMatchObject({ deletes: 1, live: 1 });
  });

  test('when a portal is deleted, then its slug is free for another portal', async () => {
    await client.createPortal(portal);
    await client.deletePortal('cep-sub-7');

    const successor = await client.createPortal({ ...portal, externalId: 'cep-sub-10' });

    expect(successor.slug).toBe('contoso-support');
  });
});

describe('failures of the service', () => {
  test('when creates fail with 503 twice, then each failure is retryable and the third attempt creates one portal', async () => {
    simulator.faults.failNext(2, 503, { method: 'PUT', path: '/v1/portals/*' });

    const failures = [
      await provisioningFailure(client.createPortal(portal)),
      await provisioningFailure(client.createPortal(portal)),
    ];
    const created = await client.createPortal(portal);

    expect(failures.map((e) => [e.code, e.retryable])).toEqual([
      ['PROVISIONING.UNAVAILABLE', true],
      ['PROVISIONING.UNAVAILABLE', true],
    ]);
    expect(simulator.resources()).toEqual([created]);
  });

  test('when the service is out until the outage is cleared, then the compensating delete fails retryably, then succeeds', async () => {
    await client.createPortal(portal);
    simulator.faults.outage();

    const during = await provisioningFailure(client.deletePortal('cep-sub-7'));
    simulator.faults.clear();

    expect(during).toMatchObject({ code: 'PROVISIONING.UNAVAILABLE', retryable: true });
    expect(await client.deletePortal('cep-sub-7')).toBe('deleted');
    expect(simulator.stats.live).toBe(0);
  });

  test('when the delete is slower than the timeout, then a retryable TIMEOUT, and the retried delete finds the portal gone', async () => {
    const impatient = createCepClient({ baseUrl: simulator.url, token: TOKEN, timeoutMs: 100 });
    await impatient.createPortal(portal);
    simulator.faults.delay(1_000, { method: 'DELETE', times: 1 });

    const error = await provisioningFailure(impatient.deletePortal('cep-sub-7'));

    expect(error).toMatchObject({ code: 'PROVISIONING.TIMEOUT', retryable: true });
    expect(await impatient.deletePortal('cep-sub-7')).toBe('already-absent');
  });

  test('when the token is wrong, then a non-retryable UNAUTHORIZED and nothing is created', async () => {
    const intruder = createCepClient({ baseUrl: simulator.url, token: 'not-the-token' });

    const error = await provisioningFailure(intruder.createPortal(portal));

    expect(error).toMatchObject({ code: 'PROVISIONING.UNAUTHORIZED', retryable: false });
    expect(simulator.stats.live).toBe(0);
  });
});

describe('suspending a portal', () => {
  test('when a portal is disabled twice and enabled twice, then it is kept, offline, then served again, with no second create', async () => {
    await client.createPortal(portal);

    expect(await client.disablePortal(portal.externalId)).toBe('done');
    expect(await client.disablePortal(portal.externalId)).toBe('done');
    expect((await client.getPortal(portal.externalId))?.status).toBe('disabled');
    // A late retry of the create finds the same portal, still disabled.
    expect((await client.createPortal(portal)).status).toBe('disabled');
    expect(await client.enablePortal(portal.externalId)).toBe('done');
    expect(await client.enablePortal(portal.externalId)).toBe('done');

    expect((await client.getPortal(portal.externalId))?.status).toBe('active');
    expect(simulator.stats).toMatchObject({ creates: 1, deletes: 0, live: 1 });
  });

  test('when the portal does not exist, then disabling reports it absent', async () => {
    expect(await client.disablePortal('cep-missing')).toBe('absent');
  });
});
