import { InvalidListRequestError, visibilityQuery } from '../../../src/orders/order-list';

describe('the visibility query of an order list', () => {
  it('when filtered by attention, tenants and state, then each becomes a clause', () => {
    expect(visibilityQuery({ needsAttention: true, tenantIds: ['acme', 'globex'] })).toBe(
      "WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow') AND NeedsAttention = true AND TenantId IN ('acme', 'globex')",
    );
    expect(visibilityQuery({ tenantId: 'acme', state: 'completed' })).toBe(
      "WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow') AND TenantId = 'acme' AND OrderState = 'completed'",
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
