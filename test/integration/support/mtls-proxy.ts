import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

/** The name the test server's certificate carries (TEMPORAL_TLS_SERVER_NAME). */
export const SERVER_NAME = 'temporal.test';

export interface TestCertificates {
  dir: string;
  /** Paths of PEM files: a CA, the server's pair and a client's pair, both signed by the CA. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client pair signed by a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new Error(
        'openssl is not installed: install it (apt-get install openssl) to run this test',
      );
    }
    throw error;
  }
}

/**
 * A private CA, a server certificate for SERVER_NAME and 127.0.0.1, a client certificate
 * (clientAuth) signed by the same CA, and one from another CA: made with openssl for each
 * run, P-256 keys in PKCS#8, as a cluster's operators would issue them.
 */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-mtls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) => {
    openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-days',
        '2',
        '-subj',
        `/CN=${name} test CA`,
        '-keyout',
        `${name}-ca.key`,
        '-out',
        `${name}-ca.crt`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
  };
  const leaf = (name: string, caName: string, extensions: string) => {
    openssl(
      ['req', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`],
      dir,
    );
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-days',
        '2',
        '-CA',
        `${caName}-ca.crt`,
        '-CAkey',
        `${caName}-ca.key`,
        '-CAcreateserial',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
  };
  ca('cluster');
  ca('stranger');
  leaf(
    'server',
    'cluster',
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1`,
    ].join('\n'),
  );
  const clientExtensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ].join('\n');
  leaf('client', 'cluster', clientExtensions);
  leaf('stranger', 'stranger', clientExtensions);
  const file = (name: string) => join(dir, name);
  return {
    dir,
    caCert: file('cluster-ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    strangerCert: file('stranger.crt'),
    strangerKey: file('stranger.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface MtlsProxy {
  /** host:port of the TLS endpoint, for TEMPORAL_ADDRESS. */
  address: string;
  /** Client certificates' subjects of the connections the proxy admitted. */
  admitted: string[];
  /** Handshakes it refused, with the reason. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * What a secured cluster's frontend looks like from outside: TLS that demands a client
 * certificate signed by the cluster's CA (requestCert + rejectUnauthorized), speaking
 * HTTP/2 (ALPN h2), in front of the dev server's plaintext gRPC port, which takes HTTP/2
 * with prior knowledge, so the decrypted bytes are piped through as they are.
 */
export async function startMtlsProxy(
  certs: TestCertificates,
  upstream: string,
): Promise<MtlsProxy> {
  const [upstreamHost, upstreamPort] = [
    upstream.slice(0, upstream.lastIndexOf(':')),
    Number(upstream.slice(upstream.lastIndexOf(':') + 1)),
  ];
  const admitted: string[] = [];
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(
    {
      key: readFileSync(certs.serverKey),
      cert: readFileSync(certs.serverCert),
      ca: readFileSync(certs.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (tlsSocket: TLSSocket) => {
      admitted.push(String(tlsSocket.getPeerCertificate().subject?.CN));
      const plain = connect(upstreamPort, upstreamHost);
      sockets.add(tlsSocket).add(plain);
      const forget = () => {
        sockets.delete(tlsSocket);
        sockets.delete(plain);
        tlsSocket.destroy();
        plain.destroy();
      };
      tlsSocket.on('error', forget).on('close', forget);
      plain.on('error', forget).on('close', forget);
      tlsSocket.pipe(plain).pipe(tlsSocket);
    },
  );
  server.on('tlsClientError', (error) => refused.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    admitted,
    refused,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
