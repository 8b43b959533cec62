// Every workflow the order worker registers. Only deterministic code is reachable from here.
export { purchaseWorkflow } from './purchase-workflow';
export { subscriptionChangeWorkflow } from './subscription-change-workflow';
export { reconcileWorkflow } from './reconcile-workflow';
export { renewalWorkflow } from './renewal-workflow';
export { renewalSweepWorkflow } from './renewal-sweep-workflow';
