import { addPeriod } from '../../../src/domain/billing-period';

const at = (iso: string) => new Date(iso);

describe('a subscription period', () => {
  test('a month from the 15th ends on the 15th of the next month, at the same time', () => {
    expect(addPeriod(at('2026-03-15T10:30:00Z'), 'month').toISOString()).toBe(
      '2026-04-15T10:30:00.000Z',
    );
  });

  test('a month from January 31 ends on the last day of February', () => {
    expect(addPeriod(at('2026-01-31T00:00:00Z'), 'month').toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
    expect(addPeriod(at('2028-01-31T00:00:00Z'), 'month').toISOString()).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });

  test('a month from December ends in January of the next year', () => {
    expect(addPeriod(at('2026-12-05T00:00:00Z'), 'month').toISOString()).toBe(
      '2027-01-05T00:00:00.000Z',
    );
  });

  test('a year from February 29 ends on February 28', () => {
    expect(addPeriod(at('2028-02-29T12:00:00Z'), 'year').toISOString()).toBe(
      '2029-02-28T12:00:00.000Z',
    );
  });
});
