import type { PayloadCodec, Payload } from '@temporalio/common';
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../api-error';
import type { ApiKeys } from '../api-keys';
import { principalOfRequest } from '../console/console-session';
import { parseRequest } from '../validation';

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
export function codecRoutes(deps: CodecServerDeps): FastifyPluginAsync {
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
        { config: { access: 'public' }, bodyLimit: 8 * 1024 * 1024 },
        async (request, reply) => {
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
            throw new ApiError(403, 'FORBIDDEN', 'the codec needs an ops key of every tenant (*)');
          }
          request.apiKey = principal;
          const namespace = request.headers['x-namespace'];
          if (namespace !== undefined && namespace !== deps.namespace) {
            throw new ApiError(
              400,
              'INVALID_INPUT',
              `X-Namespace: this codec serves ${deps.namespace}`,
              [{ path: 'X-Namespace', message: `must be ${deps.namespace}` }],
            );
          }
          const { payloads } = parseRequest(codecBody, request.body);
          const result = await deps.codec[action](payloads);
          return payloadsToJson(result);
        },
      );
    }
  };
}
