import {
  InvalidListRequestError,
  listedState,
  visibilityQuery,
} from '../../../src/orders/order-list';

describe('the visibility query of an order list', () => {
  it('when filtered by attention, tenants and state, then each becomes a clause', () => {
    expect(visibilityQuery({ needsAttention: true, tenantIds: ['acme', 'globex'] })).toBe(
      "WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow') AND NeedsAttention = true AND TenantId IN ('acme', 'globex')",
    );
    expect(visibilityQuery({ tenantId: 'acme', state: 'compensating' })).toBe(
      "WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow') AND TenantId = 'acme' AND OrderState = 'compensating'",
    );
  });

  it('when filtered by completed or received, then the execution status tells them apart', () => {
    // Orders of revision 2 stay `received` until they complete, and write nothing then.
    expect(visibilityQuery({ state: 'completed' })).toBe(
      "WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow') AND (OrderState = 'completed' OR (OrderState = 'received' AND ExecutionStatus = 'Completed'))",
    );
    expect(visibilityQuery({ state: 'received' })).toBe(
      "WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow') AND OrderState = 'received' AND ExecutionStatus != 'Completed'",
    );
  });

  it('when a key covers no tenant, then there is nothing to ask', () => {
    expect(visibilityQuery({ tenantIds: [] })).toBeUndefined();
  });

  it('when a value could break out of its quotes, then it is refused naming the field', () => {
    expect(() => visibilityQuery({ tenantId: "a' OR 'x'='x" })).toThrow(InvalidListRequestError);
    expect(() => visibilityQuery({ state: "x' OR '1'='1" })).toThrow(/^state: /);
    expect(() => visibilityQuery({ tenantIds: ['ok', "no'"] })).toThrow(/^tenantIds: /);
  });
});

describe('the state an order is listed in', () => {
  it('when it is received and its workflow completed, then it is completed', () => {
    expect(listedState('received', 'COMPLETED')).toBe('completed');
    expect(listedState('received', 'RUNNING')).toBe('received');
    expect(listedState('received', 'TERMINATED')).toBe('received');
  });

  it('when it wrote its state, then that state is listed whatever the status', () => {
    expect(listedState('declined', 'COMPLETED')).toBe('declined');
    expect(listedState('completed', 'COMPLETED')).toBe('completed');
    expect(listedState('needs-attention', 'RUNNING')).toBe('needs-attention');
    expect(listedState(undefined, 'RUNNING')).toBe('received');
  });
});
