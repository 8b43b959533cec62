import { toErrorResponse } from '../../../src/api/error-handler';
import { InvalidInputError, UnknownPlanError } from '../../../src/catalog';

describe('error responses', () => {
  test('when checkout planning refuses an order, the answer is 400 naming the field', () => {
    const { status, body } = toErrorResponse(
      new InvalidInputError('settings', 'required for add-on "calendar-sync"'),
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(body.error.fields).toEqual([expect.objectContaining({ path: 'settings' })]);
  });

  test('when the catalog does not know a plan, the answer is 400 naming the plan field', () => {
    const { status, body } = toErrorResponse(new UnknownPlanError('sales-basic', 'plan'));
    expect(status).toBe(400);
    expect(body.error.fields?.[0]?.path).toBe('plan');
  });

  test('when something unexpected fails, the answer is 500 and says nothing of the cause', () => {
    const { status, body } = toErrorResponse(new Error('connection string postgres://secret'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('secret');
  });
});
