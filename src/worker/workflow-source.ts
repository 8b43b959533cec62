import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The bundles `npm run build` writes: dist/workflow-bundle*.js, beside dist/src. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';
/** The same workflows with the OpenTelemetry workflow interceptor, for a traced worker. */
export const TRACED_WORKFLOW_BUNDLE_FILE = 'workflow-bundle-traced.js';

export type WorkflowSource =
  | { workflowBundle: { codePath: string } }
  | { workflowsPath: string; interceptors?: { workflowModules: string[] } };

/**
 * Where the worker takes its workflow code from. A production build carries the workflows
 * prebundled: the worker starts without running webpack, and runs exactly the code that
 * was built and shipped. A source checkout (tests, `npm start`) has no bundle beside
 * src/, so the worker bundles workflows/ as it starts. With `interceptorModule` (tracing
 * on) the worker runs the traced bundle, or bundles the module in; without it, workflows
 * carry no tracing code at all.
 */
export function workflowSource(interceptorModule?: string): WorkflowSource {
  const file = interceptorModule ? TRACED_WORKFLOW_BUNDLE_FILE : WORKFLOW_BUNDLE_FILE;
  const codePath = join(__dirname, '..', '..', file);
  if (existsSync(codePath)) return { workflowBundle: { codePath } };
  return {
    workflowsPath: require.resolve('../../workflows'),
    ...(interceptorModule && { interceptors: { workflowModules: [interceptorModule] } }),
  };
}
