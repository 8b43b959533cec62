import fastifySwagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { apiErrorSchema } from '../contract';
import type { RouteAccess } from './auth';

/** Where the generated OpenAPI document and Swagger UI are served. */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PREFIX = '/docs';

const errorAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: apiErrorSchema } },
});

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;
type TransformObject = NonNullable<FastifyDynamicSwaggerOptions['transformObject']>;

/**
 * The named schemas, less the input twin the type provider makes of each (`ErrorInput`
 * beside `Error`) where nothing refers to it: only answers use named schemas today.
 */
const transformObject: TransformObject = (input) => {
  const document = jsonSchemaTransformObject(input);
  if (!('openapi' in document)) return document;
  const all = document.components?.schemas ?? {};
  const kept = new Set(Object.keys(all).filter((name) => !name.endsWith('Input')));
  for (let grown = true; grown;) {
    const used = JSON.stringify([document.paths, [...kept].map((name) => all[name])]);
    const more = Object.keys(all).filter(
      (name) => !kept.has(name) && used.includes(`"#/components/schemas/${name}"`),
    );
    more.forEach((name) => kept.add(name));
    grown = more.length > 0;
  }
  // The document was made for this call: trimming it in place changes nothing else.
  for (const name of Object.keys(all)) if (!kept.has(name)) delete all[name];
  return document;
};

/**
 * The zod schemas of a route as OpenAPI, with who may call it: public routes need no
 * key; any other route lists its roles (`x-roles`) and answers 401 and 403. The ops
 * console's HTML pages are not part of the JSON API.
 */
const transform: Transform = (input) => {
  const { url, route } = input;
  if (url === '/console' || url.startsWith('/console/')) {
    return { schema: { hide: true }, url };
  }
  const schema = (input.schema ?? {}) as Record<string, unknown> & { response?: object };
  // What the framework refuses before a route with a body runs.
  const bodyErrors = schema.body
    ? {
        413: errorAnswer('The body is larger than the route takes (`BODY_TOO_LARGE`).'),
        415: errorAnswer('The body is not `application/json` (`UNSUPPORTED_MEDIA_TYPE`).'),
      }
    : {};
  const access: RouteAccess | undefined = route.config?.access;
  const isPublic = access === undefined || access === 'public';
  const authErrors = isPublic
    ? {}
    : {
        401: errorAnswer('No API key, or an unknown one.'),
        403: errorAnswer("The API key's role may not call this route."),
      };
  const response = { ...schema.response, ...bodyErrors, ...authErrors };
  return jsonSchemaTransform({
    ...input,
    schema: {
      ...schema,
      ...(isPublic ? { security: [] } : { 'x-roles': [...access] }),
      // A route that declares no answer keeps fastify's default one.
      ...(Object.keys(response).length > 0 ? { response } : {}),
    },
  });
};

/**
 * The contract at work: requests are validated and answers serialized with the zod
 * schemas each route declares, the OpenAPI document is generated from them
 * (GET /openapi.json) and Swagger UI shows it at /docs. Call before any route is added.
 */
export function installApiDocs(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Swagger UI's pages and assets are public, as the document is; they declare it
  // here, before the auth hook refuses a route that declares nothing.
  app.addHook('onRoute', (route) => {
    if (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`)) {
      route.config = { ...route.config, access: 'public' };
    }
  });
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'provisioner API',
        version: '1.0.0',
        description:
          'Checkout, entitlements, subscriptions and operations of license orders. Errors ' +
          'answer `{ error: { code, message, fields? } }` with a stable code; the framework ' +
          'refuses a body that is not JSON (400 `INVALID_JSON`), of another media type (415 ' +
          '`UNSUPPORTED_MEDIA_TYPE`) or too large (413 `BODY_TOO_LARGE`), and a request that ' +
          'fails its schema (400 `INVALID_INPUT`, naming each field in `fields`).',
      },
      servers: [{ url: '/' }],
      security: [{ apiKey: [] }],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key as `Authorization: Bearer <key>`. Its role (checkout, ops, read) ' +
              'decides the routes it may call; its tenants, the tenants it may read or act for.',
          },
        },
      },
    },
    transform,
    transformObject,
  });
  void app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });
}
