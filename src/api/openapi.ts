import {
  ROUTES,
  error,
  errorResponses,
  json,
  type JsonContent,
  type Parameter,
  type RouteDoc,
} from './openapi-routes';
import { componentSchemas, jsonSchemaOf } from './openapi-schemas';
import { SUBSCRIPTION_ROUTES, subscriptionComponentSchemas } from './openapi-subscriptions';
import { idParam, subscriptionIdParam } from '../domain/ids';
import { RECONCILE_ROUTES } from './openapi-reconcile';

function pathParameters(path: string): Parameter[] {
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: jsonSchemaOf(name === 'subscriptionId' ? subscriptionIdParam : idParam, 'input'),
  }));
}

interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  security?: [];
  /** The API-key roles the route accepts; absent on public routes. */
  'x-roles'?: string[];
  parameters?: Parameter[];
  requestBody?: { required: true; content: JsonContent };
  responses: RouteDoc['responses'];
}

function operation(route: RouteDoc): Operation {
  const { access, body } = route;
  const parameters = [
    ...pathParameters(route.path),
    ...(route.query ?? []),
    ...(route.headers ?? []),
  ];
  const common = {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: { required: true as const, content: json(body.schema) } } : {}),
  };
  const describe = (who: string) => (route.description ? `${route.description}\n\n${who}` : who);
  if (access === 'public') {
    return {
      ...common,
      description: describe('Public: no API key.'),
      security: [],
      responses: route.responses,
    };
  }
  return {
    ...common,
    description: describe(`Roles: ${access.join(', ')}.`),
    'x-roles': [...access],
    responses: { ...route.responses, '401': error('Unauthorized'), '403': error('Forbidden') },
  };
}

/** `/v1/orders/:orderId` as OpenAPI writes it: `/v1/orders/{orderId}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/**
 * The OpenAPI 3.1 document of every route the API can serve, whichever of them a
 * deployment registers (order routes need Temporal, the webhook its secret).
 */
export function buildOpenApiDocument() {
  const paths: Record<string, Partial<Record<RouteDoc['method'], Operation>>> = {};
  for (const route of [...ROUTES, ...SUBSCRIPTION_ROUTES, ...RECONCILE_ROUTES]) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'provisioner API',
      version: '1.0.0',
      description:
        'Checkout, entitlements and operations of license orders. Errors answer ' +
        '`{ error: { code, message, fields? } }` with a stable code.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key as `Authorization: Bearer <key>`. Its role (checkout, ops, read) ' +
            'decides the routes it may call.',
        },
      },
      schemas: { ...componentSchemas, ...subscriptionComponentSchemas },
      responses: errorResponses,
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
