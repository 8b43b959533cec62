import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../../src/api/app';
import { createLedger, openDatabase, type SqlDb } from '../../../src/ledger';
import { createLogger } from '../../../src/runtime/logger';
import { KEYS, apiKeys, bearer } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

const EMAIL = 'jane.doe+canary@acme.example';
const CLIENT_SECRET = 'pi_3Pabc123_secret_XyZ789canary';

describe('API logs', () => {
  let db: SqlDb;
  let app: FastifyInstance;
  let client: TestClient;
  const lines: Record<string, unknown>[] = [];
  let raw = '';

  beforeAll(async () => {
    db = await openDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw += chunk.toString();
        lines.push(
          ...chunk
            .toString()
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        );
        done();
      },
    });
    app = buildApi({
      ledger: createLedger(db),
      apiKeys,
      logger: createLogger({ level: 'info', service: 'api' }, sink),
    });
    void app.register(async (scope) => {
      scope.post('/v1/broken', { config: { access: ['read'] } }, async (request) => {
        request.log.info(
          { customer: { email: EMAIL }, clientSecret: CLIENT_SECRET },
          'checkout body',
        );
        throw new Error(`provider refused ${EMAIL} with ${CLIENT_SECRET}`);
      });
    });
    client = await serveForTest(app);
  });

  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('when requests come and one fails, then JSON lines carry request ids and the cause, and no key, email or client secret', async () => {
    const ok = await client.request('GET', '/healthz', {
      headers: { ...bearer(KEYS.read), 'x-request-id': 'trace-42' },
    });
    const failed = await client.request('POST', '/v1/broken', {
      headers: { ...bearer(KEYS.read), cookie: `session=${KEYS.ops}` },
      body: { email: EMAIL },
    });
    await new Promise((resolve) => setImmediate(resolve));

    expect(ok.headers.get('x-request-id')).toBe('trace-42');
    expect(failed.statusCode).toBe(500);
    const failedId = failed.headers.get('x-request-id');
    expect(failedId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.filter((l) => l.reqId === 'trace-42').length).toBeGreaterThan(0);
    const error = lines.find((l) => l.msg === 'request failed');
    expect(error).toMatchObject({ level: 50, service: 'api', reqId: failedId });
    expect((error?.err as { message: string }).message).toBe(
      'provider refused [email] with [client-secret]',
    );
    expect(lines.find((l) => l.msg === 'checkout body')).toMatchObject({
      customer: '[redacted]',
      clientSecret: '[redacted]',
    });

    for (const secret of [KEYS.read, KEYS.ops, EMAIL, CLIENT_SECRET, 'canary']) {
      expect({ secret, found: raw.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
