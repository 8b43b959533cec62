import {
  startCalendarSyncSimulator,
  type CalendarSyncSimulator,
} from '../../../local/simulators/calendar-sync-simulator';

/**
 * The simulators' wire contract as any client sees it (not only ours): status codes,
 * error bodies naming the field, and fault control over HTTP for people and other tests.
 */
const TOKEN = 'wire-test-token';
let simulator: CalendarSyncSimulator;

beforeEach(async () => {
  simulator = await startCalendarSyncSimulator({ token: TOKEN });
});

afterEach(async () => {
  await simulator.close();
});

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string | null } = {},
): Promise<Answer> {
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    headers,
    body:
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: response.headers,
  };
}

const google = {
  tenantId: 'tenant-3',
  provider: 'google',
  settings: { workspaceDomain: 'contoso.com' },
};

describe('the calendar-sync admin API', () => {
  test('when a connection is PUT, then 201 the first time and 200 with the same connection after', async () => {
    const created = await call('PUT', '/v1/connections/calsync-3', { body: google });
    const repeated = await call('PUT', '/v1/connections/calsync-3', { body: google });
    const read = await call('GET', '/v1/connections/calsync-3');

    expect(created.status).toBe(201);
    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual(created.body);
    expect(read).toMatchObject({ status: 200, body: created.body });
  });

  test('when the bearer token is missing, then 401 with a Bearer challenge', async () => {
    const answer = await call('GET', '/v1/connections/calsync-3', { token: null });

    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  test('when a client that does not validate sends bad settings, then 400 naming the field and nothing is created', async () => {
    const answer = await call('PUT', '/v1/connections/calsync-3', {
      body: {
        tenantId: 'tenant-3',
        provider: 'exchange',
        settings: { ewsUrl: 'ftp://mail.contoso.com' },
      },
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { code: 'INVALID_BODY', field: 'settings.ewsUrl' },
    });
    expect(simulator.stats.live).toBe(0);
  });

  test('when the body is not JSON, then 400 naming the body', async () => {
    const answer = await call('PUT', '/v1/connections/calsync-3', { rawBody: '{"tenantId":' });

    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'body' } } });
  });

  test('when a connection or an endpoint does not exist, then 404 tells which', async () => {
    const missing = await call('GET', '/v1/connections/calsync-none');
    const noRoute = await call('GET', '/v1/calendars/calsync-none');

    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(noRoute).toMatchObject({ status: 404, body: { error: { code: 'NO_ROUTE' } } });
  });

  test('when a method is not supported on a connection, then 405 lists the allowed ones', async () => {
    const answer = await call('POST', '/v1/connections/calsync-3', { body: google });

    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, PUT, DELETE');
  });
});

describe('fault control over HTTP', () => {
  test('when a counted fault is posted for one method, then only that many requests of that method fail', async () => {
    const posted = await call('POST', '/_simulator/faults', {
      body: { type: 'fail', status: 503, method: 'PUT', path: '/v1/connections/*', times: 2 },
    });

    const answers = [
      await call('PUT', '/v1/connections/calsync-3', { body: google }),
      await call('GET', '/v1/connections/calsync-3'),
      await call('PUT', '/v1/connections/calsync-3', { body: google }),
      await call('PUT', '/v1/connections/calsync-3', { body: google }),
    ];

    expect(posted.status).toBe(201);
    expect(answers.map((a) => a.status)).toEqual([503, 404, 503, 201]);
    expect(answers[0]?.body).toMatchObject({ error: { code: 'INJECTED_FAULT' } });
    expect(simulator.stats.injectedFaults).toBe(2);
  });

  test('when an outage is on, then the control endpoints still answer and clearing it restores the API', async () => {
    await call('POST', '/_simulator/faults', { body: { type: 'fail', status: 503 } });

    const during = await call('GET', '/v1/connections/calsync-3');
    const faults = await call('GET', '/_simulator/faults');
    const cleared = await call('DELETE', '/_simulator/faults');
    const after = await call('GET', '/v1/connections/calsync-3');

    expect(during.status).toBe(503);
    expect(faults.body).toEqual({ faults: [{ type: 'fail', status: 503 }] });
    expect(cleared.status).toBe(204);
    expect(after.status).toBe(404);
  });

  test('when a fault rule is malformed, then 400 naming the field and no fault is added', async () => {
    const answer = await call('POST', '/_simulator/faults', {
      body: { type: 'fail', status: 200 },
    });

    expect(answer).toMatchObject({ status: 400, body: { error: { field: 'status' } } });
    expect(simulator.faults.list()).toEqual([]);
  });

  test('when a delay is posted, then the answer comes no sooner than the delay', async () => {
    await call('POST', '/_simulator/faults', { body: { type: 'delay', ms: 300, times: 1 } });

    const started = Date.now();
    const answer = await call('GET', '/v1/connections/calsync-3');

    expect(answer.status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('when a drop is posted, then the connection closes without an answer', async () => {
    await call('POST', '/_simulator/faults', { body: { type: 'drop', times: 1 } });

    await expect(call('GET', '/v1/connections/calsync-3')).rejects.toThrow('fetch failed');
    expect((await call('GET', '/v1/connections/calsync-3')).status).toBe(404);
  });

  test('when connections are created and deleted, then the state endpoint lists the live ones and the counts', async () => {
    await call('PUT', '/v1/connections/calsync-3', { body: google });
    await call('PUT', '/v1/connections/calsync-4', { body: { ...google, tenantId: 'tenant-4' } });
    await call('DELETE', '/v1/connections/calsync-3');

    const state = await call('GET', '/_simulator/state');

    expect(state.body).toMatchObject({
      connections: [{ externalId: 'calsync-4', tenantId: 'tenant-4' }],
      stats: { creates: 2, deletes: 1, live: 1 },
    });
  });
});
