import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { TRACED_WORKFLOW_BUNDLE_FILE, WORKFLOW_BUNDLE_FILE } from '../src/worker/workflow-source';
import { TRACING_WORKFLOW_MODULE } from '../src/telemetry/tracing';

/**
 * The last step of `npm run build`: bundles the compiled workflows (dist/workflows) into
 * dist/workflow-bundle.js, which the production worker loads instead of running webpack
 * at start-up (src/worker/workflow-source.ts), and again with the OpenTelemetry workflow
 * interceptor into dist/workflow-bundle-traced.js, which a worker with tracing on loads.
 */
async function main(): Promise<void> {
  const dist = join(__dirname, '..', 'dist');
  const bundles: [string, string[]][] = [
    [WORKFLOW_BUNDLE_FILE, []],
    [TRACED_WORKFLOW_BUNDLE_FILE, [TRACING_WORKFLOW_MODULE]],
  ];
  for (const [file, workflowInterceptorModules] of bundles) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve(join(dist, 'workflows')),
      workflowInterceptorModules,
      // webpack's module listing is INFO; a build log needs only what went wrong.
      logger: new DefaultLogger('WARN'),
    });
    const codePath = join(dist, file);
    writeFileSync(codePath, code);
    console.error(`workflow bundle: ${codePath} (${Math.round(code.length / 1024)} KiB)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
