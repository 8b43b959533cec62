import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The bundle `npm run build` writes: dist/workflow-bundle.js, beside dist/src. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

/**
 * Where the worker takes its workflow code from. A production build carries the workflows
 * prebundled: the worker starts without running webpack, and runs exactly the code that
 * was built and shipped. A source checkout (tests, `npm start`) has no bundle beside
 * src/, so the worker bundles workflows/ as it starts.
 */
export function workflowSource(): WorkflowSource {
  const codePath = join(__dirname, '..', '..', WORKFLOW_BUNDLE_FILE);
  if (existsSync(codePath)) return { workflowBundle: { codePath } };
  return { workflowsPath: require.resolve('../../workflows') };
}
