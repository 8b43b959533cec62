import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { parseApiKeys } from '../../../src/api/api-keys';
import { buildApi } from '../../../src/api/app';
import { createLedger, openDatabase, type SqlDb } from '../../../src/ledger';
import { parseCodecKeys } from '../../../src/runtime/codec-keys';
import { createEncryptionCodec } from '../../../src/runtime/encryption-codec';
import { bearer } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

const UI = 'https://temporal-ui.example.com';
const KEYS = {
  ops: 'codec-ops-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  acmeOps: 'codec-acme-ops-key-bbbbbbbbbbbbbbbbbbbbbbbbbb',
  read: 'codec-read-key-cccccccccccccccccccccccccccccc',
};
const OLD = `old:${randomBytes(32).toString('base64')}`;
const NEW = `new:${randomBytes(32).toString('base64')}`;
const canary = { email: 'canary-codec@example.com' };

const asJson = (payloads: Payload[]) => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  })),
});

describe('the codec server', () => {
  let db: SqlDb;
  let app: FastifyInstance;
  let client: TestClient;
  let underOldKey: Payload[];

  beforeAll(async () => {
    db = await openDatabase();
    // Encrypted before the rotation; the server runs with the new key first.
    underOldKey = await createEncryptionCodec(parseCodecKeys(OLD)).encode([
      defaultPayloadConverter.toPayload(canary),
    ]);
    app = buildApi({
      ledger: createLedger(db),
      apiKeys: parseApiKeys(
        `ops-team:ops:*:${KEYS.ops},acme-ops:ops:acme:${KEYS.acmeOps},reports:read:*:${KEYS.read}`,
      ),
      codec: {
        codec: createEncryptionCodec(parseCodecKeys(`${NEW},${OLD}`)),
        namespace: 'default',
        uiOrigin: UI,
      },
    });
    client = await serveForTest(app);
  });

  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const decode = (headers: Record<string, string>) =>
    client.request('POST', '/codec/decode', { headers, body: asJson(underOldKey) });

  it('when an ops key of every tenant asks, then a payload of the old key decodes after rotation', async () => {
    const response = await decode({ ...bearer(KEYS.ops), 'x-namespace': 'default', origin: UI });

    expect(response.statusCode).toBe(200);
    const [payload] = response.json<ReturnType<typeof asJson>>().payloads;
    expect(JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'))).toEqual(canary);
    expect(Buffer.from(payload.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(response.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('when encode is asked, then the answer is encrypted under the newest key', async () => {
    const plain = asJson([defaultPayloadConverter.toPayload(canary)]);
    const response = await client.request('POST', '/codec/encode', {
      headers: bearer(KEYS.ops),
      body: plain,
    });

    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(plain.payloads[0].data);
    const [payload] = response.json<ReturnType<typeof asJson>>().payloads;
    expect(Buffer.from(payload.metadata['encryption-key-id'], 'base64').toString()).toBe('new');
  });

  it('when no key, a read key or an ops key of some tenants asks, then it is refused and nothing decoded', async () => {
    const anonymous = await decode({ origin: UI });
    const read = await decode(bearer(KEYS.read));
    const limited = await decode(bearer(KEYS.acmeOps));

    expect([anonymous.statusCode, read.statusCode, limited.statusCode]).toEqual([401, 403, 403]);
    for (const refused of [anonymous, read, limited]) {
      expect(refused.body).not.toContain('canary');
    }
    // The UI can read why it was refused.
    expect(anonymous.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('when the request names another namespace or sends no payloads, then 400 names the field', async () => {
    const other = await decode({ ...bearer(KEYS.ops), 'x-namespace': 'billing' });
    const empty = await client.request('POST', '/codec/decode', {
      headers: bearer(KEYS.ops),
      body: { payload: [] },
    });

    expect(other.statusCode).toBe(400);
    expect(other.json<{ error: { fields: { path: string }[] } }>().error.fields[0].path).toBe(
      'X-Namespace',
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.json<{ error: { fields: { path: string }[] } }>().error.fields[0].path).toBe(
      'payloads',
    );
  });

  it("when the browser asks before calling, then only the UI's origin is allowed", async () => {
    const fromUi = await client.request('OPTIONS', '/codec/decode', { headers: { origin: UI } });
    const fromElsewhere = await client.request('OPTIONS', '/codec/decode', {
      headers: { origin: 'https://evil.example.com' },
    });

    expect(fromUi.statusCode).toBe(204);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI);
    expect(fromUi.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });
});
