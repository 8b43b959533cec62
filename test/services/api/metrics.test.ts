import { buildApi } from '../../../src/api/app';
import { createLedger, openDatabase, type SqlDb } from '../../../src/ledger';
import { sample } from '../../metrics-text';
import { apiKeys } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

let db: SqlDb;
let app: ReturnType<typeof buildApi>;
let client: TestClient;

beforeAll(async () => {
  // Nothing listens on port 1: /healthz answers 503, which is what a 5xx looks like here.
  db = await openDatabase({ databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none' });
  app = buildApi({ ledger: createLedger(db), apiKeys });
  client = await serveForTest(app);
});

afterAll(async () => {
  await app.close();
  await db.close();
});

describe('GET /metrics of the API', () => {
  it('when requests were answered, then each is counted and timed under its route pattern, method and status class', async () => {
    await client.request('GET', '/healthz');
    await client.request('GET', '/v1/tenants/acme/seats');
    await client.request('GET', '/v1/tenants/globex/seats');
    await client.request('GET', '/no/such/page-4711');

    const response = await client.request('GET', '/metrics');

    expect(response.statusCode).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = response.body;
    const requests = (labels: Record<string, string>) =>
      sample(text, 'provisioner_http_requests_total', labels);
    expect(requests({ route: '/healthz', method: 'GET', status_class: '5xx' })).toBe(1);
    // Without a key: 401, both tenants under one pattern.
    const seats = { route: '/v1/tenants/:tenantId/seats', method: 'GET', status_class: '4xx' };
    expect(requests(seats)).toBe(2);
    expect(sample(text, 'provisioner_http_request_duration_seconds_count', seats)).toBe(2);
    expect(requests({ route: 'unmatched', method: 'GET', status_class: '4xx' })).toBe(1);
    expect(text).not.toContain('acme');
    expect(text).not.toContain('4711');
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});
