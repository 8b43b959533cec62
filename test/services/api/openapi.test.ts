import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../../src/api/app';
import type { RouteAccess } from '../../../src/api/auth';
import { createLedger, openDatabase } from '../../../src/ledger';
import { createOrderService } from '../../../src/orders/order-service';
import { createPayments, createStripeClient } from '../../../src/payments';
import { createSubscriptionService } from '../../../src/subscriptions/subscription-service';
import { createEncryptionCodec } from '../../../src/runtime/encryption-codec';
import { apiKeys, bearer, KEYS } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  schema: Record<string, unknown> | undefined;
}

interface JsonSchema {
  $ref?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  const?: unknown;
  enum?: unknown[];
}

type Content = Partial<Record<'application/json' | 'text/plain', { schema: JsonSchema }>>;

interface Operation {
  security?: unknown[];
  'x-roles'?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Content };
  responses: Record<string, { description: string; content?: Content }>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  security: Record<string, unknown>[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, { type: string; scheme: string }>;
    schemas: Record<string, JsonSchema>;
  };
}

/** `/v1/orders/:orderId` as OpenAPI writes it. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** Every `$ref` in the document, to check that each points at something. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

function resolve(document: Document, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined,
      document,
    );
}

/** A variant's `kind`: a literal, as `const` or a one-value `enum`. */
const kindOf = (variant: JsonSchema) => {
  const kind = variant.properties?.kind;
  return kind?.const ?? kind?.enum?.[0];
};

const schemaOf = (document: Document, schema: JsonSchema | undefined) =>
  (schema?.$ref ? resolve(document, schema.$ref) : schema) as JsonSchema | undefined;

/** The OpenAPI 3 schemas themselves judge the document (in a process of its own: ESM). */
async function validateOpenApi(document: Document) {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(__dirname, 'validate-openapi.mjs'),
      file,
    ]);
    return JSON.parse(stdout) as { valid: boolean; version: string; errors: unknown[] };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The API with all of its optional parts (orders, subscriptions, payments, the webhook
 * secret, the codec), so that every route exists, and each route as fastify registers
 * it. The Temporal connection is lazy and the database unreachable: the routes checked
 * here refuse a request before they reach either.
 */
async function serveEveryRoute(): Promise<{
  client: TestClient;
  routes: RegisteredRoute[];
  close(): Promise<void>;
}> {
  const db = await openDatabase({ databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none' });
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const policy = {
    stepAttempts: 1,
    stepInitialIntervalMs: 1000,
    stepTimeoutMs: 1000,
    authenticationTimeoutMs: 1000,
    attentionDeadlineMs: 1000,
  };
  const temporal = new Client({ connection });
  const ledger = createLedger(db);
  const common = { client: temporal, ledger, taskQueue: 'openapi-test', policy };
  const app: FastifyInstance = buildApi({
    ledger,
    apiKeys,
    orders: createOrderService({ ...common, answerTimeoutMs: 1000 }),
    subscriptions: createSubscriptionService(common),
    payments: createPayments({
      stripe: createStripeClient({ secretKey: 'sk_test_x', baseUrl: 'http://127.0.0.1:9' }),
    }),
    stripeWebhookSecret: 'whsec_openapi_test',
    codec: { codec: createEncryptionCodec([]), namespace: 'default' },
  });
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push({
        method,
        url: route.url,
        access: route.config?.access,
        schema: route.schema as Record<string, unknown> | undefined,
      });
    }
  });
  const client = await serveForTest(app);
  return {
    client,
    routes,
    async close() {
      await app.close();
      await connection.close();
      await db.close();
    },
  };
}

/** What the document describes: the JSON API, not the console's pages nor the docs' own. */
const isApiRoute = (route: RegisteredRoute) =>
  route.method !== 'HEAD' &&
  !/^\/(console|docs)(\/|$)/.test(route.url) &&
  route.url !== '/openapi.json';

describe('OpenAPI document generated from the routes', () => {
  let served: Awaited<ReturnType<typeof serveEveryRoute>>;
  let document: Document;
  let apiRoutes: RegisteredRoute[];

  const operationOf = (route: RegisteredRoute): Operation | undefined =>
    document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];

  /** Checks an answer's body against the schema the document gives for its status. */
  function expectDocumentedBody(operation: Operation, status: number, body: unknown): void {
    const schema = operation.responses[String(status)]?.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ ...document, $id: 'openapi.json' }, 'openapi.json');
    const validate = ajv.compile({ $ref: `openapi.json${schema!.$ref ?? ''}` });
    expect({ body, errors: validate(body) ? [] : validate.errors }).toEqual({ body, errors: [] });
  }

  beforeAll(async () => {
    served = await serveEveryRoute();
    const response = await served.client.request('GET', '/openapi.json');
    expect(response.statusCode).toBe(200);
    document = response.json<Document>();
    apiRoutes = served.routes.filter(isApiRoute);
  });

  afterAll(async () => {
    await served.close();
  });

  it('when fetched without an API key, then GET /openapi.json answers a valid OpenAPI 3.1 document', async () => {
    const result = await validateOpenApi(document);

    expect(result).toEqual({ valid: true, version: '3.1', errors: [] });
    expect(document.info.title).toBe('provisioner API');
    const unresolved = refsIn(document).filter((ref) => resolve(document, ref) === undefined);
    expect(unresolved).toEqual([]);
    const referenced = new Set(refsIn(document));
    const unused = Object.keys(document.components.schemas).filter(
      (name) => !referenced.has(`#/components/schemas/${name}`),
    );
    expect(unused).toEqual([]);
  });

  it('when the API registers its routes, then the document describes each of them, and no console page', () => {
    const registered = apiRoutes.map((r) => `${r.method} ${openApiPath(r.url)}`).sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .filter((route) => route !== 'GET /openapi.json')
      .sort();

    expect(registered).toEqual(
      expect.arrayContaining([
        'POST /v1/orders',
        'GET /v1/orders/{orderId}',
        'GET /v1/ops/orders',
        'POST /v1/webhooks/stripe',
        'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/changes',
        'POST /codec/decode',
      ]),
    );
    expect(documented).toEqual(registered);
    expect(served.routes.some((route) => route.url.startsWith('/console'))).toBe(true);
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/console'))).toEqual([]);
  });

  it('when Prometheus scrapes GET /metrics, then the document lists it as public text, and the route answers that text', async () => {
    const operation = document.paths['/metrics']?.get;

    expect(operation?.security).toEqual([]);
    expect(operation?.responses['200']?.content?.['text/plain']?.schema).toEqual(
      expect.objectContaining({ type: 'string' }),
    );
    const scrape = await served.client.request('GET', '/metrics');
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(scrape.body).toContain('# TYPE');
  });

  it('when a route takes API keys, then it requires the bearer scheme and lists its roles; public routes need none', () => {
    expect(document.components.securitySchemes.apiKey).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(document.security).toEqual([{ apiKey: [] }]);
    for (const route of apiRoutes) {
      const operation = operationOf(route)!;
      if (route.access === 'public') {
        expect({ route: route.url, security: operation.security }).toEqual({
          route: route.url,
          security: [],
        });
      } else {
        expect({ route: route.url, roles: [...(operation['x-roles'] ?? [])].sort() }).toEqual({
          route: route.url,
          roles: [...(route.access ?? [])].sort(),
        });
        expect(operation.security).toBeUndefined();
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it("when a route declares params, query and body schemas, then the document carries them, and each answer's schema", () => {
    const described = apiRoutes.filter((route) => route.schema?.response !== undefined);
    // Every route of the JSON API declares its answers, but the codec's CORS preflights.
    expect(apiRoutes.filter((route) => !described.includes(route)).map((r) => r.method)).toEqual(
      apiRoutes.filter((route) => route.method === 'OPTIONS').map(() => 'OPTIONS'),
    );
    for (const route of described) {
      const operation = operationOf(route)!;
      const label = `${route.method} ${route.url}`;
      const inPath = [...route.url.matchAll(/:(\w+)/g)].map(([, name]) => name);
      const parameters = operation.parameters ?? [];
      expect({ label, path: parameters.filter((p) => p.in === 'path').map((p) => p.name) }).toEqual(
        { label, path: inPath },
      );
      if (route.schema?.querystring) {
        expect({ label, query: parameters.some((p) => p.in === 'query') }).toEqual({
          label,
          query: true,
        });
      }
      expect({ label, body: operation.requestBody !== undefined }).toEqual({
        label,
        body: route.schema?.body !== undefined,
      });
      const answers = Object.entries(operation.responses).filter(([status]) => status < '300');
      expect({ label, answered: answers.length > 0 }).toEqual({ label, answered: true });
      for (const [status, answer] of answers) {
        if (status === '204') continue;
        // JSON everywhere but the Prometheus scrape, which is text.
        const mediaType = route.url === '/metrics' ? 'text/plain' : 'application/json';
        const schema = answer.content?.[mediaType]?.schema;
        expect({ label, status, described: typeof schema === 'object' }).toEqual({
          label,
          status,
          described: true,
        });
      }
    }
  });

  it('when a client reads the checkout body, then it requires `kind` and offers the plan and add-on purchases', () => {
    const checkout = document.paths['/v1/orders'].post;
    const schema = checkout.requestBody?.content['application/json']?.schema;
    const variants = (schema?.oneOf ?? schema?.anyOf ?? []).map((v) => schemaOf(document, v)!);

    expect(variants.map(kindOf)).toEqual(['plan', 'addon']);
    for (const variant of variants) {
      expect(variant.required).toEqual(
        expect.arrayContaining(['kind', 'orderId', 'tenantId', 'customer']),
      );
    }
    expect(variants[0].required).toEqual(expect.arrayContaining(['plan', 'seats']));
    expect(variants[1].required).toEqual(expect.arrayContaining(['addon']));
    expect(Object.keys(checkout.responses)).toEqual(
      expect.arrayContaining(['201', '202', '400', '401', '402', '403', '409']),
    );
    const answer = schemaOf(
      document,
      checkout.responses['201'].content?.['application/json']?.schema,
    );
    expect(answer?.required).toEqual(expect.arrayContaining(['orderId', 'state']));
    expect(document.components.schemas.OrderState.enum).toEqual(
      expect.arrayContaining(['completed', 'needs-attention']),
    );
  });

  it('when a client reads the change body, then it offers every change by its `kind`, each requiring a change id', () => {
    const operation =
      document.paths['/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/changes'].post;
    const schema = operation.requestBody?.content['application/json']?.schema;
    const variants = (schema?.oneOf ?? schema?.anyOf ?? []).map((v) => schemaOf(document, v)!);

    expect(variants.map(kindOf)).toEqual([
      'upgrade',
      'downgrade',
      'cancel',
      'seats',
      'payment-method',
      'withdraw',
    ]);
    for (const variant of variants) {
      expect(variant.required).toEqual(expect.arrayContaining(['kind', 'changeId']));
    }
    expect(Object.keys(operation.responses)).toEqual(
      expect.arrayContaining(['200', '202', '400', '401', '402', '403', '404', '409']),
    );
  });

  it('when a body fails its schema, then the 400 is the documented error, naming each field', async () => {
    const response = await served.client.request('POST', '/v1/orders', {
      headers: bearer(KEYS.checkout),
      body: { kind: 'plan', orderId: 'o-1', tenantId: 'acme', plan: 'sales-premium', seats: 0 },
    });

    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; fields: { path: string }[] } }>();
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(body.error.fields.map((field) => field.path)).toEqual(
      expect.arrayContaining(['seats', 'period', 'customer']),
    );
    expectDocumentedBody(document.paths['/v1/orders'].post, 400, body);
  });

  it('when a path parameter fails its schema, then the 400 is the documented error, naming it', async () => {
    const response = await served.client.request('GET', '/v1/orders/no%20spaces', {
      headers: bearer(KEYS.read),
    });

    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; fields: { path: string }[] } }>();
    expect(body.error).toEqual(
      expect.objectContaining({ code: 'INVALID_INPUT', message: 'invalid orderId' }),
    );
    expect(body.error.fields.map((field) => field.path)).toEqual(['orderId']);
    expectDocumentedBody(document.paths['/v1/orders/{orderId}'].get, 400, body);
  });

  it.each([
    ['not JSON', { 'content-type': 'application/json' }, '{"kind":', 400, 'INVALID_JSON'],
    [
      'another media type',
      { 'content-type': 'text/plain' },
      'kind=plan',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'too large',
      { 'content-type': 'application/json' },
      `"${'x'.repeat(1_100_000)}"`,
      413,
      'BODY_TOO_LARGE',
    ],
  ])(
    'when a body is %s, then the framework answers the documented error shape with its code',
    async (_what, headers, body, status, code) => {
      const response = await served.client.request('POST', '/v1/orders', {
        headers: { ...headers, ...bearer(KEYS.checkout) },
        raw: body,
      });

      expect(response.statusCode).toBe(status);
      const answer = response.json<{ error: { code: string } }>();
      expect(answer.error.code).toBe(code);
      expectDocumentedBody(document.paths['/v1/orders'].post, status, answer);
    },
  );

  it('when a browser opens /docs without an API key, then Swagger UI shows the document', async () => {
    const page = await served.client.request('GET', '/docs/');
    const json = await served.client.request('GET', '/docs/json');

    expect(page.statusCode).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('swagger');
    expect(json.json<Document>().paths).toEqual(document.paths);
  });
});
