import { createCipheriv, randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { parseCodecKeys } from '../../../src/runtime/codec-keys';
import { createEncryptionCodec } from '../../../src/runtime/encryption-codec';

const key = () => randomBytes(32).toString('base64');
const OLD = `old:${key()}`;
const NEW = `new:${key()}`;
const text = new TextDecoder();
const canary = { email: 'canary-7f3a@example.com', userId: 'canary-user-7f3a' };
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const metadataOf = (payload: Payload) =>
  Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, text.decode(v)]));

describe('the payload codec', () => {
  it('when a payload is encoded, then only ciphertext and the key id leave, and it decodes back', async () => {
    const codec = createEncryptionCodec(parseCodecKeys(NEW));
    const [encoded] = await codec.encode([toPayload(canary)]);

    expect(metadataOf(encoded)).toEqual({
      encoding: 'binary/encrypted',
      'encryption-key-id': 'new',
    });
    expect(Buffer.from(encoded.data!).toString('latin1')).not.toContain('canary');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(canary);
    expect(metadataOf(decoded)).toEqual(metadataOf(toPayload(canary)));
  });

  it('when a new key is put first, then payloads encrypted under the old key still decode', async () => {
    const [underOld] = await createEncryptionCodec(parseCodecKeys(OLD)).encode([toPayload(canary)]);
    const rotated = createEncryptionCodec(parseCodecKeys(`${NEW},${OLD}`));

    const [decoded] = await rotated.decode([underOld]);
    const [fresh] = await rotated.encode([toPayload(canary)]);

    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(canary);
    expect(metadataOf(fresh)['encryption-key-id']).toBe('new');
  });

  it('when a payload has no encryption metadata (recorded before the codec), then it decodes as it is', async () => {
    const plain = toPayload(canary);

    expect(await createEncryptionCodec(parseCodecKeys(NEW)).decode([plain])).toEqual([plain]);
  });

  it('when the key is gone from the configuration, then decoding says which key and variable', async () => {
    const [underOld] = await createEncryptionCodec(parseCodecKeys(OLD)).encode([toPayload(1)]);

    await expect(createEncryptionCodec(parseCodecKeys(NEW)).decode([underOld])).rejects.toThrow(
      'a payload is encrypted with key "old", which TEMPORAL_CODEC_KEYS does not hold',
    );
  });

  it('when ciphertext or its key id is altered, then decoding fails instead of returning garbage', async () => {
    const codec = createEncryptionCodec(parseCodecKeys(`${NEW},${OLD}`));
    const [encoded] = await codec.encode([toPayload(canary)]);
    const flipped = new Uint8Array(encoded.data!);
    flipped[20] ^= 1;
    const relabelled = {
      ...encoded,
      metadata: { ...encoded.metadata, 'encryption-key-id': new TextEncoder().encode('old') },
    };

    await expect(codec.decode([{ ...encoded, data: flipped }])).rejects.toThrow();
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });

  it('when a payload is encrypted, then it grows by a fixed framing, not by a share of its size', async () => {
    const codec = createEncryptionCodec(parseCodecKeys(NEW));
    const large = toPayload({ grants: Array.from({ length: 200 }, (_, i) => `feature-${i}`) });
    const plainBytes =
      large.data!.length +
      Object.entries(large.metadata!).reduce((n, [k, v]) => n + k.length + v.length, 0);

    const [encoded] = await codec.encode([large]);

    // IV and tag (28 bytes) and a few bytes of protobuf field tags and lengths.
    expect(encoded.data!.length - plainBytes).toBeGreaterThanOrEqual(28);
    expect(encoded.data!.length - plainBytes).toBeLessThan(48);
  });

  it('when a payload was encrypted with the JSON framing of before, then it still decodes', async () => {
    const [{ id, key }] = parseCodecKeys(NEW);
    const payload = toPayload(canary);
    const json = JSON.stringify({
      metadata: Object.fromEntries(
        Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(payload.data!).toString('base64'),
    });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(json), cipher.final()]);
    const legacy = {
      metadata: {
        encoding: new TextEncoder().encode('binary/encrypted'),
        'encryption-key-id': new TextEncoder().encode(id),
      },
      data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
    };

    const [decoded] = await createEncryptionCodec(parseCodecKeys(NEW)).decode([legacy]);

    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(canary);
    expect(metadataOf(decoded)).toEqual(metadataOf(payload));
  });

  it('when no key is configured, then nothing is written unencrypted', async () => {
    await expect(createEncryptionCodec([]).encode([toPayload(canary)])).rejects.toThrow(
      /TEMPORAL_CODEC_KEYS is not set/,
    );
  });
});

describe('TEMPORAL_CODEC_KEYS', () => {
  it('when an entry is malformed, then the error names the variable and the entry, not the key', () => {
    expect(() => parseCodecKeys('nokey')).toThrow(
      'TEMPORAL_CODEC_KEYS (entry 1): must be ID:BASE64KEY',
    );
    expect(() => parseCodecKeys(`a:${key()},b:c2hvcnQ=`)).toThrow(
      'TEMPORAL_CODEC_KEYS (entry 2): the key must be 32 bytes in base64 (openssl rand -base64 32), got 5 bytes',
    );
    expect(() => parseCodecKeys(`a b:${key()}`)).toThrow(/entry 1\): the key id must be/);
    expect(() => parseCodecKeys(`a:${key()},a:${key()}`)).toThrow(
      'TEMPORAL_CODEC_KEYS: must not use a key id twice',
    );
    expect(() => parseCodecKeys(' ')).toThrow('TEMPORAL_CODEC_KEYS: must list at least one');
  });
});
