import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKey } from './codec-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const text = new TextDecoder();

const PayloadProto = temporal.api.common.v1.Payload;

/**
 * What a payload decrypts to: the payload itself (metadata and data) as Temporal's own
 * protobuf encodes it, so the ciphertext is as long as the payload plus its framing.
 */
function seal(payload: Payload): Uint8Array {
  return PayloadProto.encode({ metadata: payload.metadata, data: payload.data }).finish();
}

/**
 * Payloads encrypted before the protobuf framing held JSON with each value in base64 (a
 * third larger). Such plaintext starts with `{`, which no encoded Payload does (its first
 * byte is a field tag: 0x0A metadata, 0x12 data), so both kinds keep decoding.
 */
const JSON_FRAMING = '{'.charCodeAt(0);

interface JsonSealedPayload {
  metadata: Record<string, string>;
  data: string;
}

function unseal(bytes: Buffer): Payload {
  if (bytes[0] === JSON_FRAMING) {
    const sealed = JSON.parse(bytes.toString('utf8')) as JsonSealedPayload;
    return {
      metadata: Object.fromEntries(
        Object.entries(sealed.metadata).map(([k, v]) => [
          k,
          new Uint8Array(Buffer.from(v, 'base64')),
        ]),
      ),
      data: new Uint8Array(Buffer.from(sealed.data, 'base64')),
    };
  }
  const payload = PayloadProto.decode(bytes);
  return { metadata: payload.metadata, data: payload.data };
}

export class CodecKeyError extends Error {
  override readonly name = 'CodecKeyError';
}

/**
 * AES-256-GCM over each whole payload (metadata and data), so Temporal's server, its
 * database and anyone reading a raw history see ciphertext and a key id only. The key
 * id is also authenticated data, so a payload cannot be passed off as another key's.
 * Payloads without the encrypted encoding (histories recorded before the codec) decode
 * as they are, so old workflows keep replaying.
 */
export function createEncryptionCodec(keys: readonly CodecKey[]): PayloadCodec {
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const current = keys[0];
  return {
    async encode(payloads) {
      if (!current) {
        throw new CodecKeyError(
          'TEMPORAL_CODEC_KEYS is not set: personal data is never sent to Temporal unencrypted',
        );
      }
      return payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', current.key, iv);
        cipher.setAAD(Buffer.from(current.id));
        const body = Buffer.concat([cipher.update(seal(payload)), cipher.final()]);
        return {
          metadata: {
            encoding: utf8.encode(ENCRYPTED_ENCODING),
            [KEY_ID_METADATA]: utf8.encode(current.id),
          },
          data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
        };
      });
    },

    async decode(payloads) {
      return payloads.map((payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || text.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
        const idBytes = payload.metadata?.[KEY_ID_METADATA];
        const id = idBytes ? text.decode(idBytes) : '';
        const key = byId.get(id);
        if (!key) {
          throw new CodecKeyError(
            `a payload is encrypted with key "${id}", which TEMPORAL_CODEC_KEYS does not hold`,
          );
        }
        const bytes = Buffer.from(payload.data ?? new Uint8Array());
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(id));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return unseal(plain);
      });
    },
  };
}
