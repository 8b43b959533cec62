// Every workflow the order worker registers. Only deterministic code is reachable from here.
export { purchaseWorkflow } from './purchase-workflow';
export { subscriptionChangeWorkflow } from './subscription-change-workflow';
export { reconcileWorkflow } from './reconcile-workflow';
