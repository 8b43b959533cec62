import { z } from 'zod';

/** One AES-256 key of the payload codec, known by an id stamped on what it encrypts. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'the key id must be 1-64 characters among A-Z a-z 0-9 _ . -');

/**
 * Parses `TEMPORAL_CODEC_KEYS`: `id:base64key,...`, each key 32 random bytes
 * (`openssl rand -base64 32`). The first key encrypts; every key decrypts, so a new key
 * put first keeps histories written under the old ones readable. Errors name the
 * variable and the entry, never the key.
 */
export function parseCodecKeys(config: string, variable = 'TEMPORAL_CODEC_KEYS'): CodecKey[] {
  const entries = config
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error(`${variable}: must list at least one ID:BASE64KEY`);
  const keys = entries.map((entry, index) => {
    const where = `${variable} (entry ${index + 1})`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where}: must be ID:BASE64KEY`);
    const id = idSchema.safeParse(entry.slice(0, colon));
    if (!id.success) throw new Error(`${where}: ${id.error.issues[0].message}`);
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
      throw new Error(
        `${where}: the key must be 32 bytes in base64 (openssl rand -base64 32), got ${key.length} bytes`,
      );
    }
    return { id: id.data, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new Error(`${variable}: must not use a key id twice`);
  }
  return keys;
}
