import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { temporalConnectionOptions } from '../../../src/runtime/temporal-connection';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIBkey\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (env: Record<string, string>) =>
  temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', ...env }));

describe('Temporal connection options', () => {
  it('when nothing is configured, then the connection is plaintext to the address', () => {
    expect(options({})).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: false });
    expect(temporalConnectionOptions(loadConfig({})).address).toBe('127.0.0.1:7233');
  });

  it('when a client certificate and key are given as PEM, then TLS carries them as the pair', () => {
    const built = options({ TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_KEY: KEY });

    expect(built.tls).toEqual({
      clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
    });
  });

  it('when they are file paths, then the files are read, and the CA and server name are used', () => {
    writeFileSync(join(dir, 'client.crt'), CERT);
    writeFileSync(join(dir, 'client.key'), KEY);
    writeFileSync(join(dir, 'ca.crt'), CA);

    const built = options({
      TEMPORAL_TLS_CERT: join(dir, 'client.crt'),
      TEMPORAL_TLS_KEY: join(dir, 'client.key'),
      TEMPORAL_TLS_CA: join(dir, 'ca.crt'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });

    expect(built.tls).toEqual({
      serverNameOverride: 'temporal.internal',
      serverRootCACertificate: Buffer.from(CA),
      clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
    });
  });

  it('when an API key is set, then it is sent, over TLS unless TEMPORAL_TLS=false', () => {
    expect(options({ TEMPORAL_API_KEY: 'cloud-key' })).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {},
      apiKey: 'cloud-key',
    });
    expect(options({ TEMPORAL_API_KEY: 'cloud-key', TEMPORAL_TLS: 'false' })).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: false,
      apiKey: 'cloud-key',
    });
    expect(options({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
  });

  it.each([
    [{ TEMPORAL_TLS_CERT: CERT }, /TEMPORAL_TLS_KEY: required with TEMPORAL_TLS_CERT/],
    [{ TEMPORAL_TLS_KEY: KEY }, /TEMPORAL_TLS_CERT: required with TEMPORAL_TLS_KEY/],
    [{ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: CA }, /TEMPORAL_TLS: is false, but TEMPORAL_TLS_CA/],
    [{ TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS: must be true or false/],
  ])(
    'when TLS is half configured (%o), then start-up stops naming the variable',
    (env, message) => {
      expect(() => loadConfig(env)).toThrow(message);
    },
  );

  it('when a certificate is neither PEM nor a readable file, then the error names the variable', () => {
    expect(() =>
      options({ TEMPORAL_TLS_CERT: join(dir, 'missing.crt'), TEMPORAL_TLS_KEY: KEY }),
    ).toThrow(/TEMPORAL_TLS_CERT: must be PEM or a readable PEM file .*missing\.crt/);
    writeFileSync(join(dir, 'not-pem.key'), 'just text');
    expect(() =>
      options({ TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_KEY: join(dir, 'not-pem.key') }),
    ).toThrow(/TEMPORAL_TLS_KEY: the file .*not-pem\.key is not PEM/);
  });
});
