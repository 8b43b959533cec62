import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_FILE } from '../src/worker/workflow-source';

/**
 * The last step of `npm run build`: bundles the compiled workflows (dist/workflows) into
 * dist/workflow-bundle.js, which the production worker loads instead of running webpack
 * at start-up (src/worker/workflow-source.ts).
 */
async function main(): Promise<void> {
  const dist = join(__dirname, '..', 'dist');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(join(dist, 'workflows')),
    // webpack's module listing is INFO; a build log needs only what went wrong.
    logger: new DefaultLogger('WARN'),
  });
  const codePath = join(dist, WORKFLOW_BUNDLE_FILE);
  writeFileSync(codePath, code);
  console.error(`workflow bundle: ${codePath} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
