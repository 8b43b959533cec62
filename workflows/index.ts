// Every workflow the order worker registers. Only deterministic code is reachable from here.
export { purchaseWorkflow } from './purchase-workflow';
export { renewalWorkflow } from './renewal-workflow';
export { renewalSweepWorkflow } from './renewal-sweep-workflow';
