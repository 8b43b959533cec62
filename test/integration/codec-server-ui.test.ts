import { Client } from '@temporalio/client';
import { payloadsToJson } from '../../src/api/routes/codec';
import { orderWorkflowId } from '../../workflows/order-types';
import {
  isFinal,
  OPS_KEY,
  planOrder,
  READ_KEY,
  startOrderStack,
  uniqueId,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

/** Where the Temporal UI runs; the API's CORS admits this origin to the codec server. */
const UI_ORIGIN = 'http://127.0.0.1:8233';

let stack: OrderStack;
let email: string;
/** The order's workflow input as Temporal stores it, in the codec protocol's JSON. */
let recorded: ReturnType<typeof payloadsToJson>;

beforeAll(async () => {
  stack = await startOrderStack({ TEMPORAL_UI_ORIGIN: UI_ORIGIN });
  email = `${uniqueId('ui').replace(/[^a-z0-9]/g, '')}@example.com`;
  const order = planOrder({ customer: { email } });
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  await waitForOrder(stack, order.orderId, isFinal);
  // Read without the codec, as the UI receives it from Temporal.
  const raw = new Client({ connection: stack.client.connection });
  const history = await raw.workflow.getHandle(orderWorkflowId(order.orderId)).fetchHistory();
  const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
  recorded = payloadsToJson(input);
  expect(JSON.stringify(recorded)).not.toContain(email);
});

afterAll(async () => {
  await stack?.close();
});

/** The console's sign-in, as a browser posts it; answers the cookies it sets. */
async function signIn(key: string): Promise<string[]> {
  const response = await fetch(`${stack.api.url}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  return response.headers.getSetCookie();
}

/** What the UI sends when it decodes with "include credentials": its origin and the cookie. */
function decodeFromUi(headers: Record<string, string>) {
  return fetch(`${stack.api.url}/codec/decode`, {
    method: 'POST',
    headers: {
      origin: UI_ORIGIN,
      'content-type': 'application/json',
      'x-namespace': 'default',
      ...headers,
    },
    body: JSON.stringify(recorded),
  });
}

describe('the codec server, as the Temporal UI calls it', () => {
  test('when the UI asks before decoding (CORS preflight), then its origin, credentials and headers are allowed', async () => {
    const preflight = await fetch(`${stack.api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = preflight.headers.get('access-control-allow-headers')!.split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-namespace']),
    );
  });

  test('when another origin asks, then nothing allows it', async () => {
    const preflight = await fetch(`${stack.api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const post = await decodeFromUi({
      origin: 'https://evil.example',
      authorization: `Bearer ${OPS_KEY}`,
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('when an ops key signed in to the console, then the UI’s request with that cookie decodes the recorded payload', async () => {
    const cookies = await signIn(OPS_KEY);
    const codecCookie = cookies.find((cookie) => /;\s*Path=\/codec(;|$)/i.test(cookie));
    expect(codecCookie).toMatch(/HttpOnly/i);
    expect(codecCookie).toMatch(/SameSite=Strict/i);

    const decoded = await decodeFromUi({ cookie: codecCookie!.split(';')[0] });

    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
    const body = (await decoded.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(body.payloads[0].data, 'base64').toString()).toContain(email);
  });

  test('when the UI passes an ops key as its access token, then it decodes as well', async () => {
    const decoded = await decodeFromUi({ authorization: `Bearer ${OPS_KEY}` });
    expect(decoded.status).toBe(200);
  });

  test('when the request carries no key, a removed one or a non-ops key, then nothing is decoded', async () => {
    const answers = [
      await decodeFromUi({}),
      await decodeFromUi({ cookie: 'console_key=a-key-that-was-removed-from-api-keys' }),
      await decodeFromUi({ cookie: `console_key=${READ_KEY}` }),
      await decodeFromUi({ authorization: `Bearer ${READ_KEY}` }),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 403, 403]);
    for (const answer of answers) expect(await answer.text()).not.toContain(email);
  });

  test('when the ops console signs out, then the codec cookie is cleared too', async () => {
    const response = await fetch(`${stack.api.url}/console/logout`, {
      method: 'POST',
      redirect: 'manual',
    });
    const cleared = response.headers
      .getSetCookie()
      .filter((cookie) => /^console_key=;/.test(cookie))
      .map((cookie) => /Path=([^;]+)/i.exec(cookie)?.[1]);
    expect(cleared.sort()).toEqual(['/codec', '/console']);
  });
});
