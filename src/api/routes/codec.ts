import type { PayloadCodec, Payload } from '@temporalio/common';
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, badRequest } from '../../contract';
import { ApiError } from '../api-error';
import type { ApiKeys } from '../api-keys';
import { principalOfRequest } from '../console/console-session';

const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64')
  .transform((value) => new Uint8Array(Buffer.from(value, 'base64')));

/** Payloads in Temporal's JSON form: bytes as base64, as the UI and CLI send them. */
export const codecBody = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).optional(),
        data: base64.optional(),
      }),
    )
    .max(1000),
});

/** The answer: the same payloads, encoded or decoded, in the same order. */
const codecAnswer = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), z.string().meta({ contentEncoding: 'base64' })),
      data: z.string().meta({ contentEncoding: 'base64' }),
    }),
  ),
});

/** Payloads in the JSON form of the codec protocol (bytes as base64). */
export function payloadsToJson(payloads: Payload[]) {
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)]),
      ),
      data: b64(payload.data),
    })),
  };
}

export interface CodecServerDeps {
  codec: PayloadCodec;
  /** Who may decode: an ops key of every tenant, as a bearer header or the console's cookie. */
  apiKeys: ApiKeys;
  /** The namespace the keys belong to; a request naming another one is refused. */
  namespace: string;
  /** The Temporal UI's origin, allowed to call from the browser (CORS). */
  uiOrigin?: string;
}

/**
 * Temporal's codec-server protocol, so the UI and `temporal` CLI can show what the
 * payload codec encrypted: POST /codec/decode and /codec/encode with `{ payloads }`.
 * Decoding reveals every tenant's personal data, so it takes an ops key of every tenant.
 */
export function codecRoutes(deps: CodecServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(fastifyCookie);

    app.addHook('onSend', async (request, reply) => {
      const origin = request.headers.origin;
      if (!deps.uiOrigin || origin !== deps.uiOrigin) return;
      void reply.header('access-control-allow-origin', origin);
      void reply.header('access-control-allow-credentials', 'true');
      void reply.header('vary', 'origin');
    });

    for (const action of ['encode', 'decode'] as const) {
      // Browsers ask first, without credentials; the answer says only what may be sent.
      app.options(`/codec/${action}`, { config: { access: 'public' } }, async (_request, reply) => {
        if (deps.uiOrigin) {
          void reply.header('access-control-allow-methods', 'POST');
          void reply.header(
            'access-control-allow-headers',
            'authorization, content-type, x-namespace',
          );
          void reply.header('access-control-max-age', '600');
        }
        return reply.status(204).send();
      });

      // Authenticated here rather than by the API's bearer rule: the Temporal UI sends
      // either its access token as a bearer header or, with "include credentials", the
      // cookie the ops console set at sign-in. Either must be an ops key of every tenant.
      app.post(
        `/codec/${action}`,
        {
          config: { access: 'public' },
          bodyLimit: 8 * 1024 * 1024,
          // Before the body is read and validated: a caller without the key learns nothing of it.
          onRequest: async (request, reply) => {
            const principal = principalOfRequest(request, deps.apiKeys);
            if (!principal) {
              void reply.header('www-authenticate', 'Bearer');
              throw new ApiError(
                401,
                'UNAUTHENTICATED',
                'the codec needs an ops key (Authorization: Bearer <key>, or the ops console signed in)',
              );
            }
            if (principal.role !== 'ops' || principal.tenants !== '*') {
              throw new ApiError(
                403,
                'FORBIDDEN',
                'the codec needs an ops key of every tenant (*)',
              );
            }
            request.apiKey = principal;
          },
          schema: {
            summary: `${action === 'encode' ? 'Encrypt' : 'Decrypt'} Temporal payloads (codec server)`,
            description:
              "Temporal's codec-server protocol, for the Temporal UI and CLI. Needs an ops key " +
              'of every tenant (`*`), as `Authorization: Bearer <key>` or the cookie the ops ' +
              'console sets at sign-in; CORS allows the origin of `TEMPORAL_UI_ORIGIN` with ' +
              'credentials.',
            tags: ['codec'],
            headers: z.object({ 'x-namespace': z.string().optional() }),
            body: codecBody,
            response: {
              200: codecAnswer,
              400: badRequest,
              401: apiErrorSchema.describe('Neither an API key nor a signed-in console.'),
              403: apiErrorSchema.describe('Not an ops key of every tenant (`*`).'),
            },
          },
        },
        async (request) => {
          const namespace = request.headers['x-namespace'];
          if (namespace !== undefined && namespace !== deps.namespace) {
            throw new ApiError(
              400,
              'INVALID_INPUT',
              `X-Namespace: this codec serves ${deps.namespace}`,
              [{ path: 'X-Namespace', message: `must be ${deps.namespace}` }],
            );
          }
          const { payloads } = request.body;
          const result = await deps.codec[action](payloads);
          return payloadsToJson(result);
        },
      );
    }
  };
}
