import {
  connect,
  constants,
  createServer,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface HeaderRecordingProxy {
  /** host:port to use as TEMPORAL_ADDRESS (plaintext HTTP/2, as the dev server speaks). */
  address: string;
  /** Each gRPC call's path and `authorization` header, as the server would receive them. */
  calls: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  constants.HTTP2_HEADER_METHOD,
  constants.HTTP2_HEADER_PATH,
  constants.HTTP2_HEADER_SCHEME,
  constants.HTTP2_HEADER_AUTHORITY,
  constants.HTTP2_HEADER_STATUS,
]);

function plainHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/**
 * A gRPC pass-through in front of the dev server that notes each call's headers: what
 * a Temporal Cloud frontend would see of the API key. Calls are relayed whole: request
 * headers and body, then the answer's headers, body and trailers (gRPC's status).
 */
export async function startHeaderRecordingProxy(upstream: string): Promise<HeaderRecordingProxy> {
  const session = connect(`http://${upstream}`);
  session.on('error', () => undefined);
  const calls: HeaderRecordingProxy['calls'] = [];
  const server = createServer();
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (accepted) => {
    sessions.add(accepted);
    accepted.on('close', () => sessions.delete(accepted));
  });
  server.on('stream', (stream, headers) => {
    const path = String(headers[constants.HTTP2_HEADER_PATH]);
    const authorization = headers.authorization;
    calls.push({ path, ...(authorization !== undefined && { authorization }) });
    const forwarded = session.request({
      ...plainHeaders(headers),
      [constants.HTTP2_HEADER_METHOD]: headers[constants.HTTP2_HEADER_METHOD],
      [constants.HTTP2_HEADER_PATH]: path,
    });
    let trailers: OutgoingHttpHeaders = {};
    forwarded.on('response', (answer) => {
      stream.respond(
        {
          ...plainHeaders(answer),
          [constants.HTTP2_HEADER_STATUS]: answer[constants.HTTP2_HEADER_STATUS],
        },
        { waitForTrailers: true },
      );
    });
    forwarded.on('trailers', (received: IncomingHttpHeaders) => {
      trailers = plainHeaders(received);
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    forwarded.on('error', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('error', () => forwarded.close(constants.NGHTTP2_CANCEL));
    stream.pipe(forwarded);
    forwarded.pipe(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: async () => {
      for (const accepted of sessions) accepted.destroy();
      session.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
