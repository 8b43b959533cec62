import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../../src/cli/main';
import { createEventRelay } from '../../../src/events/relay';
import { SIGNATURE_HEADER, verifyEvent } from '../../../src/events/signature';
import { listDeliveries, redeliver, type Ledger } from '../../../src/ledger';
import { ledgerEngines, openTestLedger, uniqueId, type TestLedger } from '../ledger/engines';
import { planSubscription, userFeatures } from '../ledger/fixtures';

const SECRET = 'whsec_test_relay_secret_0123456789';

interface Received {
  id: string;
  tenantId: string;
  type: string;
  signatureValid: boolean;
}

/** A subscriber endpoint that refuses what `refuse` says, and records what it accepted. */
async function startReceiver(refuse: (body: Received, attempt: number) => boolean) {
  const accepted: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const parsed = JSON.parse(raw) as Omit<Received, 'signatureValid'>;
      const header = request.headers[SIGNATURE_HEADER];
      const received = {
        id: parsed.id,
        tenantId: parsed.tenantId,
        type: parsed.type,
        signatureValid: verifyEvent(
          SECRET,
          raw,
          typeof header === 'string' ? header : undefined,
          Math.floor(Date.now() / 1000),
        ),
      };
      attempts += 1;
      if (refuse(received, attempts)) {
        response.writeHead(500).end();
        return;
      }
      accepted.push(received);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    accepted,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Two grants for each of `tenants`: a recorded subscription and a granted feature each. */
async function writeEvents(ledger: Ledger, tenants: string[]): Promise<void> {
  for (const tenant of tenants) {
    const sub = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(sub, tenant, 'sales-premium', 2));
    await ledger.applyGrants({
      orderId: uniqueId('order'),
      tenantId: tenant,
      subscriptionId: sub,
      productKey: 'sales-premium',
      grants: userFeatures(['ann', 'bob'], ['quotes']),
    });
  }
}

/** Runs relay passes until `done` or the pass budget is spent. */
async function relayUntil(pass: () => Promise<number>, done: () => boolean, passes = 200) {
  for (let i = 0; i < passes && !done(); i++) {
    await pass();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(ledgerEngines())('license event relay on %s', (engine) => {
  let opened: TestLedger;
  beforeEach(async () => {
    opened = await openTestLedger(engine);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('when the subscriber fails at first, then every event arrives after the retries, signed, in order per tenant, and is marked published', async () => {
    const { ledger } = opened;
    const tenants = [uniqueId('tenant'), uniqueId('tenant')];
    await writeEvents(ledger, tenants);
    const expected = await ledger.pendingEvents(1000);
    const receiver = await startReceiver((_body, attempt) => attempt <= 3);
    try {
      const relay = createEventRelay({
        db: ledger.db,
        subscribers: [{ name: 'crm', url: receiver.url, secret: SECRET }],
        retryBaseMs: 10,
      });
      await relayUntil(relay.pass, () => receiver.accepted.length >= expected.length);

      expect(receiver.attempts()).toBeGreaterThan(expected.length);
      expect(receiver.accepted.every((r) => r.signatureValid)).toBe(true);
      expect(new Set(receiver.accepted.map((r) => r.id))).toEqual(
        new Set(expected.map((e) => `evt_${e.id}`)),
      );
      for (const tenant of tenants) {
        const ids = receiver.accepted
          .filter((r) => r.tenantId === tenant)
          .map((r) => Number(r.id.slice(4)));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(ids).toHaveLength(expected.filter((e) => e.tenantId === tenant).length);
      }
      expect(await ledger.pendingEvents(1000)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('when one event runs out of attempts, then its tenant waits behind it, other tenants go on, and a redelivery releases the rest', async () => {
    const { ledger } = opened;
    const [stuck, other] = [uniqueId('tenant'), uniqueId('tenant')];
    await writeEvents(ledger, [stuck, other]);
    let broken = true;
    const receiver = await startReceiver((body) => broken && body.tenantId === stuck);
    try {
      const relay = createEventRelay({
        db: ledger.db,
        subscribers: [{ name: 'crm', url: receiver.url, secret: SECRET }],
        retryBaseMs: 1,
        maxAttempts: 2,
      });
      await relayUntil(relay.pass, () => false, 20);

      const dead = await listDeliveries(ledger.db, { status: 'dead' });
      expect(dead.map((d) => d.tenantId)).toEqual([stuck]);
      expect(receiver.accepted.filter((r) => r.tenantId === stuck)).toEqual([]);
      expect(receiver.accepted.filter((r) => r.tenantId === other)).toHaveLength(3);

      broken = false;
      await redeliver(ledger.db, dead[0].eventId);
      await relayUntil(relay.pass, () => receiver.accepted.length >= 6);

      expect(receiver.accepted.filter((r) => r.tenantId === stuck).map((r) => r.type)).toEqual([
        'subscription.recorded',
        'license.granted',
        'license.granted',
      ]);
      expect(await listDeliveries(ledger.db, { status: 'dead' })).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('when two relays run, then only the lease holder sends', async () => {
    const { ledger } = opened;
    await writeEvents(ledger, [uniqueId('tenant')]);
    const receiver = await startReceiver(() => false);
    try {
      const subscribers = [{ name: 'crm', url: receiver.url, secret: SECRET }];
      const first = createEventRelay({ db: ledger.db, subscribers });
      const second = createEventRelay({ db: ledger.db, subscribers });

      expect(await first.pass()).toBe(3);
      await writeEvents(ledger, [uniqueId('tenant')]);
      expect(await second.pass()).toBe(0);
      expect(await first.pass()).toBe(3);
      expect(receiver.accepted).toHaveLength(6);
    } finally {
      await receiver.close();
    }
  });

  it('when an unknown event is redelivered, then the ledger refuses naming eventId', async () => {
    await expect(redeliver(opened.ledger.db, '999999')).rejects.toMatchObject({
      code: 'LEDGER.INVALID_INPUT',
      field: 'eventId',
    });
  });
});

describe('event signatures', () => {
  it('when the body, the secret or the age is wrong, then verification fails', () => {
    const body = '{"id":"evt_1"}';
    const now = 1_800_000_000;
    const header = `t=${now},v1=${createHmac('sha256', SECRET).update(`${now}.${body}`).digest('hex')}`;
    expect(verifyEvent(SECRET, body, header, now)).toBe(true);
    expect(verifyEvent(SECRET, `${body} `, header, now)).toBe(false);
    expect(verifyEvent('whsec_other_secret_000000000000', body, header, now)).toBe(false);
    expect(verifyEvent(SECRET, body, header, now + 301)).toBe(false);
    expect(verifyEvent(SECRET, body, undefined, now)).toBe(false);
  });
});

describe('provisioner events', () => {
  async function cli(argv: string[]) {
    let out = '';
    let err = '';
    const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  it('when a filter value or an argument is bad, then it exits 2 naming it, before opening the ledger', async () => {
    const status = await cli(['events', 'list', '--status', 'lost']);
    const limit = await cli(['events', 'list', '--limit', '0']);
    const missing = await cli(['events', 'redeliver']);

    expect([status.code, limit.code, missing.code]).toEqual([2, 2, 2]);
    expect(status.err).toContain('--status: must be one of pending, delivered, dead');
    expect(limit.err).toContain('--limit');
    expect(missing.err).toContain('EVENT_ID');
  });
});
