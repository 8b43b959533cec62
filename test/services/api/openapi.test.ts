import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../../src/api/app';
import type { RouteAccess } from '../../../src/api/auth';
import { createLedger, openDatabase } from '../../../src/ledger';
import { createOrderService } from '../../../src/orders/order-service';
import { createPayments, createStripeClient } from '../../../src/payments';
import { createSubscriptionService } from '../../../src/subscriptions/subscription-service';
import { createEncryptionCodec } from '../../../src/runtime/encryption-codec';
import { apiKeys } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

interface Operation {
  security?: unknown[];
  'x-roles'?: string[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, unknown>;
}

interface JsonSchema {
  $ref?: string;
  oneOf?: JsonSchema[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  const?: unknown;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
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

/**
 * Every route fastify registers, with the access it declares. The API is built with all
 * of its optional parts (orders, payments, the webhook secret) so that every route
 * exists; none of them is called, and the Temporal connection is lazy.
 */
async function serveEveryRoute(): Promise<{
  client: TestClient;
  routes: RegisteredRoute[];
  close(): Promise<void>;
}> {
  // Nothing listens on port 1; the document is built without the ledger.
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
  const orders = createOrderService({
    client: temporal,
    ledger,
    answerTimeoutMs: 1000,
    taskQueue: 'openapi-test',
    policy,
  });
  const subscriptions = createSubscriptionService({
    client: temporal,
    ledger,
    taskQueue: 'openapi-test',
    policy,
  });
  const payments = createPayments({
    stripe: createStripeClient({ secretKey: 'sk_test_x', baseUrl: 'http://127.0.0.1:9' }),
  });
  const app: FastifyInstance = buildApi({
    ledger,
    apiKeys,
    orders,
    subscriptions,
    payments,
    stripeWebhookSecret: 'whsec_openapi_test',
    codec: { codec: createEncryptionCodec([]), namespace: 'default' },
  });
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify answers HEAD for every GET by itself; the document describes the GET.
      if (method === 'HEAD') continue;
      // The ops console's HTML pages are not part of the JSON API the document describes.
      if (route.url.startsWith('/console')) continue;
      routes.push({ method, url: route.url, access: route.config?.access });
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

describe('OpenAPI document', () => {
  let served: Awaited<ReturnType<typeof serveEveryRoute>>;
  let document: Document;

  beforeAll(async () => {
    served = await serveEveryRoute();
    const response = await served.client.request('GET', '/openapi.json');
    expect(response.statusCode).toBe(200);
    document = response.json<Document>();
  });

  afterAll(async () => {
    await served.close();
  });

  it('when fetched without an API key, then GET /openapi.json answers an OpenAPI 3.1 document', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('provisioner API');
    expect(document.servers).toEqual([{ url: '/' }]);
    expect(Object.values(document.components.securitySchemes)).toContainEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    const unresolved = refsIn(document).filter((ref) => resolve(document, ref) === undefined);
    expect(unresolved).toEqual([]);
  });

  it('when the API registers its routes, then the document describes each, and nothing else', () => {
    const registered = served.routes.map((r) => `${r.method} ${openApiPath(r.url)}`).sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();

    expect(registered).toContain('POST /v1/webhooks/stripe');
    expect(registered).toContain(
      'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/changes',
    );
    expect(documented).toEqual(registered);
  });

  it('when a route takes API keys, then the document lists the roles it accepts; public routes need none', () => {
    for (const route of served.routes) {
      const operation = document.paths[openApiPath(route.url)][route.method.toLowerCase()];
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
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('when a path has parameters, then the document declares each of them', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      for (const operation of Object.values(operations)) {
        const declared = (operation.parameters ?? []).filter((p) => p.in === 'path');
        expect({ path, declared: declared.map((p) => p.name) }).toEqual({ path, declared: inPath });
      }
    }
  });

  it('when a client reads the checkout body, then it requires `kind` and offers the plan and add-on purchases', () => {
    const checkout = document.paths['/v1/orders'].post;
    const schema = checkout.requestBody?.content['application/json'].schema;
    // Each purchase is a named schema, so that code generators name its type.
    const variants = (schema?.oneOf ?? []).map(
      (variant) => (variant.$ref ? resolve(document, variant.$ref) : variant) as JsonSchema,
    );

    expect(variants.map((variant) => variant.properties?.kind.const)).toEqual(['plan', 'addon']);
    for (const variant of variants) {
      expect(variant.required).toEqual(
        expect.arrayContaining(['kind', 'orderId', 'tenantId', 'customer']),
      );
    }
    expect(variants[0].required).toEqual(expect.arrayContaining(['plan', 'seats']));
    expect(variants[1].required).toEqual(expect.arrayContaining(['addon']));
    expect(Object.keys(checkout.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '402', '403', '409']),
    );
  });

  it('when a client reads the change body, then it offers every change by its `kind`, each requiring a change id', () => {
    const operation =
      document.paths['/v1/tenants/{tenantId}/subscriptions/{subscriptionId}/changes'].post;
    const schema = operation.requestBody?.content['application/json'].schema;
    const variants = (schema?.oneOf ?? []).map(
      (variant) => resolve(document, variant.$ref ?? '') as JsonSchema,
    );

    expect(variants.map((variant) => variant.properties?.kind.const)).toEqual([
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
});

describe('OpenAPI document of a read-only deployment', () => {
  it('when the API runs without orders, then the document still describes checkout', async () => {
    const db = await openDatabase({ databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none' });
    const app = buildApi({ ledger: createLedger(db), apiKeys });
    try {
      const client = await serveForTest(app);

      const response = await client.request('GET', '/openapi.json');

      expect(response.statusCode).toBe(200);
      expect(Object.keys(response.json<Document>().paths)).toContain('/v1/orders');
    } finally {
      await app.close();
      await db.close();
    }
  });
});
