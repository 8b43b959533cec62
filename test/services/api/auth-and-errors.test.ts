import type { FastifyInstance } from 'fastify';
import { ledgerEngines, useTestLedger } from '../ledger/engines';
import { KEYS, bearer, testApi } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

describe.each(ledgerEngines())('API authentication and errors on %s', (engine) => {
  const opened = useTestLedger(engine);
  let app: FastifyInstance;
  let client: TestClient;

  beforeAll(async () => {
    await opened().ledger.ensureTenant('acme');
    app = testApi(opened().ledger);
    // Routes other resources add the same way: a plugin whose routes declare their roles.
    void app.register(async (scope) => {
      scope.post('/v1/ops/things', { config: { access: ['ops'] } }, async () => ({ done: true }));
      scope.get('/v1/broken', { config: { access: ['read'] } }, async () => {
        throw new Error('connection to 10.0.0.7 refused, password=hunter2');
      });
    });
    client = await serveForTest(app);
  });

  afterAll(async () => {
    await app.close();
  });

  const seats = '/v1/tenants/acme/seats';

  it('when no API key is sent, then 401 and a Bearer challenge', async () => {
    const response = await client.request('GET', seats);

    expect(response.statusCode).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
  });

  it('when an unknown key or a malformed header is sent, then 401', async () => {
    const unknown = await client.request('GET', seats, { headers: bearer('guess') });
    const basic = await client.request('GET', seats, {
      headers: { authorization: `Basic ${KEYS.read}` },
    });

    expect(unknown.statusCode).toBe(401);
    expect(basic.statusCode).toBe(401);
  });

  it.each(Object.entries(KEYS))('when a %s key reads, then it is allowed', async (_role, key) => {
    const response = await client.request('GET', seats, { headers: bearer(key) });

    expect(response.statusCode).toBe(200);
  });

  it('when a key of another role calls an ops route, then 403; an ops key is allowed', async () => {
    const asRead = await client.request('POST', '/v1/ops/things', { headers: bearer(KEYS.read) });
    const asOps = await client.request('POST', '/v1/ops/things', { headers: bearer(KEYS.ops) });

    expect(asRead.statusCode).toBe(403);
    expect(asRead.json<{ error: { code: string } }>().error.code).toBe('FORBIDDEN');
    expect(asOps.statusCode).toBe(200);
  });

  it('when a route is unknown, then 404 whether or not a key is sent', async () => {
    const anonymous = await client.request('GET', '/v1/nothing');
    const withKey = await client.request('GET', '/v1/nothing', { headers: bearer(KEYS.read) });

    expect(anonymous.statusCode).toBe(404);
    expect(withKey.statusCode).toBe(404);
    expect(anonymous.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  });

  it('when a route fails unexpectedly, then 500 says nothing of the cause', async () => {
    const response = await client.request('GET', '/v1/broken', { headers: bearer(KEYS.read) });

    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: { code: 'INTERNAL', message: 'internal server error' },
    });
    expect(response.body).not.toContain('hunter2');
  });

  it('when the health check is called without a key, then it answers ok', async () => {
    const response = await client.request('GET', '/healthz');

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('when a route is added without declaring who may call it, then the API refuses to start', async () => {
    const unguarded = testApi(opened().ledger);
    void unguarded.register(async (scope) => {
      scope.get('/v1/open', async () => ({ open: true }));
    });

    await expect(unguarded.ready()).rejects.toThrow(
      'route GET /v1/open must declare config.access',
    );
    await unguarded.close();
  });
});
