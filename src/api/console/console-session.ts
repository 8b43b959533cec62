import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeys, ApiPrincipal } from '../api-keys';

/** Every console URL lives under this path, and so do its cookies. */
export const CONSOLE_PATH = '/console';
export const KEY_COOKIE = 'console_key';
/**
 * The codec server's path: the Temporal UI, told to include credentials, sends the
 * signed-in key there too (same site, so SameSite=Strict lets it), and only there.
 */
export const CODEC_PATH = '/codec';
const SESSION_SECONDS = 12 * 60 * 60;

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Who the key this request carries is: a bearer header (scripts, curl) or the console's
 * cookie (browsers). The key itself is kept, not a session token, so every request is
 * checked against the key registry as it is now: a key removed from API_KEYS stops
 * working in the console at once.
 */
export function principalOfRequest(
  request: FastifyRequest,
  apiKeys: ApiKeys,
): ApiPrincipal | undefined {
  const key = bearerToken(request) ?? request.cookies[KEY_COOKIE];
  return key ? apiKeys.identify(key) : undefined;
}

/** Who decided, for the order's record: the signed-in key's name, never a typed claim. */
export function operatorOf(request: FastifyRequest): string {
  return request.apiKey?.name ?? 'console';
}

/**
 * HttpOnly: scripts on the page never see the key. SameSite=Strict: no other site can
 * make the browser send it, which is what guards the console's POST actions from
 * cross-site requests. Path: only console URLs carry it, and the codec server's (for the
 * Temporal UI, which reads histories with it).
 */
export function startSession(request: FastifyRequest, reply: FastifyReply, key: string): void {
  const options = {
    path: CONSOLE_PATH,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
    maxAge: SESSION_SECONDS,
  };
  void reply.setCookie(KEY_COOKIE, key, options);
  void reply.setCookie(KEY_COOKIE, key, { ...options, path: CODEC_PATH });
}

export function endSession(reply: FastifyReply): void {
  void reply.clearCookie(KEY_COOKIE, { path: CONSOLE_PATH });
  void reply.clearCookie(KEY_COOKIE, { path: CODEC_PATH });
}

/**
 * A state-changing request must come from a console page. SameSite=Strict already keeps
 * the cookie off cross-site requests; this refuses them outright when the browser says
 * where they came from (Sec-Fetch-Site, Origin), as a second guard.
 */
export function isCrossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}
