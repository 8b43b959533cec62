import {
  createCalendarSyncClient,
  type CalendarSyncClient,
  type CreateConnectionInput,
} from '../../../src/provisioning/calendar-sync-client';
import {
  startCalendarSyncSimulator,
  type CalendarSyncSimulator,
} from '../../../local/simulators/calendar-sync-simulator';
import { provisioningFailure } from './provisioning-failure';

const TOKEN = 'calendar-sync-test-token';
let simulator: CalendarSyncSimulator;
let client: CalendarSyncClient;

beforeEach(async () => {
  simulator = await startCalendarSyncSimulator({ token: TOKEN });
  client = createCalendarSyncClient({ baseUrl: simulator.url, token: TOKEN, timeoutMs: 2_000 });
});

afterEach(async () => {
  await simulator.close();
});

const m365: CreateConnectionInput = {
  externalId: 'calsync-sub-1',
  tenantId: 'tenant-1',
  provider: 'm365',
  settings: { tenantDomain: 'contoso.onmicrosoft.com' },
};

describe('creating a connection', () => {
  test('when the same connection is created twice under one external id, then one connection exists and both calls return it', async () => {
    const first = await client.createConnection(m365);
    const second = await client.createConnection(m365);

    expect(second).toEqual(first);
    expect(first).toMatchObject({
      externalId: 'calsync-sub-1',
      tenantId: 'tenant-1',
      provider: 'm365',
      settings: { tenantDomain: 'contoso.onmicrosoft.com' },
      status: 'active',
    });
    expect(simulator.stats.creates).toBe(1);
    expect(simulator.resources()).toEqual([first]);
  });

  test('when a domain differs only in letter case, then it is the same connection, not a conflict', async () => {
    const first = await client.createConnection(m365);
    const again = await client.createConnection({
      ...m365,
      settings: { tenantDomain: 'Contoso.OnMicrosoft.com' },
    });

    expect(again.id).toBe(first.id);
    expect(simulator.stats.live).toBe(1);
  });

  test('when the external id exists with different settings, then the create fails as a non-retryable conflict and the connection is unchanged', async () => {
    const original = await client.createConnection(m365);

    const error = await provisioningFailure(
      client.createConnection({ ...m365, settings: { tenantDomain: 'fabrikam.com' } }),
    );

    expect(error.code).toBe('PROVISIONING.CONFLICT');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(409);
    expect(await client.getConnection('calsync-sub-1')).toEqual(original);
  });

  test.each([
    ['m365', { tenantDomain: 'contoso.com' }],
    ['google', { workspaceDomain: 'contoso.com' }],
    ['exchange', { ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx' }],
  ] as const)(
    'when the provider is %s with valid settings, then the connection keeps them',
    async (provider, settings) => {
      const connection = await client.createConnection({
        externalId: `calsync-${provider}`,
        tenantId: 'tenant-1',
        provider,
        settings,
      } as CreateConnectionInput);

      expect(connection.provider).toBe(provider);
      expect(connection.settings).toEqual(settings);
      expect(await client.getConnection(`calsync-${provider}`)).toEqual(connection);
    },
  );

  test.each([
    ['m365', { tenantDomain: 'not a domain' }, 'settings.tenantDomain'],
    [
      'm365',
      { tenantDomain: 'contoso.com', workspaceDomain: 'contoso.com' },
      'settings.workspaceDomain',
    ],
    ['google', {}, 'settings.workspaceDomain'],
    ['google', { workspaceDomain: 'localhost' }, 'settings.workspaceDomain'],
    ['exchange', { ewsUrl: 'http://mail.contoso.com/EWS/Exchange.asmx' }, 'settings.ewsUrl'],
    ['exchange', { ewsUrl: 'https://10.0.0.5/EWS/Exchange.asmx' }, 'settings.ewsUrl'],
    ['outlook', { tenantDomain: 'contoso.com' }, 'provider'],
  ])(
    'when %s settings are %j, then the create fails naming %s and nothing is sent',
    async (provider, settings, field) => {
      const error = await provisioningFailure(
        client.createConnection({
          externalId: 'calsync-bad',
          tenantId: 'tenant-1',
          provider,
          settings,
        } as unknown as CreateConnectionInput),
      );

      expect(error.code).toBe('PROVISIONING.INVALID_REQUEST');
      expect(error.retryable).toBe(false);
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
      expect(simulator.stats.requests).toBe(0);
    },
  );

  test('when an external id has characters a path cannot carry, then the create fails naming externalId', async () => {
    const error = await provisioningFailure(
      client.createConnection({ ...m365, externalId: '../calsync' }),
    );

    expect(error.field).toBe('externalId');
    expect(error.retryable).toBe(false);
    expect(simulator.stats.requests).toBe(0);
  });
});

describe('deleting a connection', () => {
  test('when a connection is deleted twice, then both deletes succeed and it is gone', async () => {
    await client.createConnection(m365);

    expect(await client.deleteConnection('calsync-sub-1')).toBe('deleted');
    expect(await client.deleteConnection('calsync-sub-1')).toBe('already-absent');
    expect(await client.getConnection('calsync-sub-1')).toBeUndefined();
    expect(simulator.stats).toMatchObject({ creates: 1, deletes: 1, live: 0 });
  });

  test('when a deleted external id is created again, then a new connection exists under it', async () => {
    const first = await client.createConnection(m365);
    await client.deleteConnection('calsync-sub-1');

    const second = await client.createConnection(m365);

    expect(second.id).not.toBe(first.id);
    expect(simulator.resources()).toEqual([second]);
  });

  test('when the base URL points at no admin API, then a delete fails instead of passing for already deleted', async () => {
    const misdirected = createCalendarSyncClient({
      baseUrl: `${simulator.url}/wrong`,
      token: TOKEN,
    });

    const error = await provisioningFailure(misdirected.deleteConnection('calsync-sub-1'));

    expect(error.code).toBe('PROVISIONING.INVALID_REQUEST');
    expect(error.status).toBe(404);
  });
});

describe('failures of the service', () => {
  test('when the service answers 503, then the error is retryable and nothing was created', async () => {
    simulator.faults.failNext(1, 503);

    const error = await provisioningFailure(client.createConnection(m365));

    expect(error).toMatchObject({ code: 'PROVISIONING.UNAVAILABLE', retryable: true, status: 503 });
    expect(simulator.stats.live).toBe(0);
    expect((await client.createConnection(m365)).externalId).toBe('calsync-sub-1');
  });

  test('when the service is out until the outage is cleared, then calls fail retryably during it and succeed after', async () => {
    simulator.faults.outage();

    const duringCreate = await provisioningFailure(client.createConnection(m365));
    const duringDelete = await provisioningFailure(client.deleteConnection('calsync-sub-1'));
    simulator.faults.clear();

    expect(duringCreate.retryable).toBe(true);
    expect(duringDelete.retryable).toBe(true);
    expect(await client.createConnection(m365)).toMatchObject({ externalId: 'calsync-sub-1' });
    expect(await client.deleteConnection('calsync-sub-1')).toBe('deleted');
  });

  test('when the answer is slower than the timeout, then a retryable TIMEOUT, and the retry finds the connection the first attempt made', async () => {
    const impatient = createCalendarSyncClient({
      baseUrl: simulator.url,
      token: TOKEN,
      timeoutMs: 100,
    });
    simulator.faults.delay(1_000, { method: 'PUT', times: 1 });

    const error = await provisioningFailure(impatient.createConnection(m365));
    const retried = await impatient.createConnection(m365);

    expect(error).toMatchObject({ code: 'PROVISIONING.TIMEOUT', retryable: true });
    expect(simulator.stats).toMatchObject({ creates: 1, live: 1 });
    expect(simulator.resources()).toEqual([retried]);
  });

  test('when the token is wrong, then a non-retryable UNAUTHORIZED and nothing is created', async () => {
    const intruder = createCalendarSyncClient({ baseUrl: simulator.url, token: 'wrong-token' });

    const error = await provisioningFailure(intruder.createConnection(m365));

    expect(error).toMatchObject({
      code: 'PROVISIONING.UNAUTHORIZED',
      retryable: false,
      status: 401,
    });
    expect(simulator.stats.live).toBe(0);
  });

  test('when the connection is dropped without an answer, then the error is retryable', async () => {
    simulator.faults.drop({ times: 1 });

    const error = await provisioningFailure(client.createConnection(m365));

    expect(error).toMatchObject({ code: 'PROVISIONING.UNAVAILABLE', retryable: true });
    expect(error.status).toBeUndefined();
  });

  test('when the service is rate limited with Retry-After, then the error is retryable and says how long to wait', async () => {
    simulator.faults.add({ type: 'fail', status: 429, retryAfterSeconds: 2, times: 1 });

    const error = await provisioningFailure(client.getConnection('calsync-sub-1'));

    expect(error).toMatchObject({ code: 'PROVISIONING.UNAVAILABLE', retryable: true, status: 429 });
    expect(error.retryAfterMs).toBe(2_000);
  });

  test('when nothing listens at the base URL, then the error is retryable', async () => {
    const stopped = await startCalendarSyncSimulator({ token: TOKEN });
    await stopped.close();
    const unreachable = createCalendarSyncClient({ baseUrl: stopped.url, token: TOKEN });

    const error = await provisioningFailure(unreachable.getConnection('calsync-sub-1'));

    expect(error).toMatchObject({ code: 'PROVISIONING.UNAVAILABLE', retryable: true });
  });

  test('when the caller aborts, then the call stops with the caller’s reason rather than a provisioning error', async () => {
    simulator.faults.delay(1_000, { times: 1 });
    const controller = new AbortController();
    const call = client.getConnection('calsync-sub-1', { signal: controller.signal });

    controller.abort(new Error('activity cancelled'));

    await expect(call).rejects.toThrow('activity cancelled');
  });
});

describe('suspending a connection', () => {
  test('when a connection is disabled and enabled again, each twice, then it is kept and syncs again, with no second create', async () => {
    await client.createConnection(m365);

    expect(await client.disableConnection(m365.externalId)).toBe('done');
    expect(await client.disableConnection(m365.externalId)).toBe('done');
    expect((await client.getConnection(m365.externalId))?.status).toBe('disabled');
    expect(await client.enableConnection(m365.externalId)).toBe('done');
    expect(await client.enableConnection(m365.externalId)).toBe('done');

    expect((await client.getConnection(m365.externalId))?.status).toBe('active');
    expect(simulator.stats).toMatchObject({ creates: 1, deletes: 0, live: 1 });
  });
});
