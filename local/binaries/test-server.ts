import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './cache-dir';
import { buildIntoCache } from './cached-build';
import { findOnPath, isExecutable, runLogged } from './run-command';
import type { BinaryOptions } from './temporal-cli';

/** The Java time-skipping test server published with the Java SDK on Maven Central. */
export const TEST_SERVER_VERSION = '1.38.0';

export function cachedTestServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `temporal-test-server-${TEST_SERVER_VERSION}`, 'temporal-test-server');
}

/**
 * Finds the time-skipping test server, fetching it and its dependencies from Maven
 * Central on first use and writing a wrapper script that `exec`s the JVM (the SDK
 * manages the process it spawns, so the wrapper must not leave a shell in between).
 * Returns undefined when Java or Maven is missing, so the SDK can download its own.
 */
export async function resolveTestServer(options: BinaryOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  if (env.TEMPORAL_TEST_SERVER_PATH) {
    if (!isExecutable(env.TEMPORAL_TEST_SERVER_PATH)) {
      throw new Error(
        `TEMPORAL_TEST_SERVER_PATH=${env.TEMPORAL_TEST_SERVER_PATH} is not an executable file`,
      );
    }
    return env.TEMPORAL_TEST_SERVER_PATH;
  }
  const cached = cachedTestServerPath(env);
  if (isExecutable(cached)) return cached;
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : findOnPath('java', env.PATH);
  const mvn = findOnPath('mvn', env.PATH);
  if (!java || !isExecutable(java) || !mvn) return undefined;

  const finalDir = join(cacheDir(env), `temporal-test-server-${TEST_SERVER_VERSION}`);
  log(
    `Fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central ` +
      `(first run only; about a minute) into ${finalDir}`,
  );
  const started = Date.now();
  await buildIntoCache(finalDir, async (buildDir) => {
    writeFileSync(join(buildDir, 'pom.xml'), fetchPom());
    await runLogged(
      mvn,
      ['-B', '-q', 'dependency:copy-dependencies', `-DoutputDirectory=${join(buildDir, 'lib')}`],
      { cwd: buildDir, env, log: (line) => log(`  mvn: ${line}`) },
    );
    const libDir = join(finalDir, 'lib');
    // A lean JVM: the SDK gives an existing executable a few seconds to accept
    // connections, and the serial GC with C1 only starts the server in about 2 s.
    const wrapper = [
      '#!/bin/sh',
      `exec "${java}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \\`,
      `  -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"`,
      '',
    ].join('\n');
    writeFileSync(join(buildDir, 'temporal-test-server'), wrapper);
    chmodSync(join(buildDir, 'temporal-test-server'), 0o755);
  });
  log(`Fetched the time-skipping test server in ${Math.round((Date.now() - started) / 1000)} s`);
  return cached;
}

function fetchPom(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>provisioner.cache</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}
