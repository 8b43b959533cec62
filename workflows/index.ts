// Every workflow the order worker registers. Only deterministic code is reachable from here.
export { purchaseWorkflow } from './purchase-workflow';
export { reconcileWorkflow } from './reconcile-workflow';
