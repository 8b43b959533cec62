import type { IncomingMessage } from 'node:http';

/** Requests to the local emulators are small; anything bigger is refused unread. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The request body as text, or undefined when it is larger than any request can be. */
export async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
