import { FaultInjector } from '../../../local/stripe-emulator/fault-rules';
import { createFaultInjector } from '../../../local/simulators/fault-injector';

/** A fixed sequence of draws, repeated. */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('fault rules with a rate', () => {
  test('when a Stripe rule has rate 0.1, then only the requests whose draw falls below it fail, and times counts those', () => {
    const faults = new FaultInjector(draws(0.5, 0.05, 0.9, 0.09, 0.2));
    faults.add({ type: 'error-after-write', path: '/v1/', rate: 0.1, times: 2 });

    const outcomes = [1, 2, 3, 4, 5].map(
      () => faults.decide('POST', '/v1/payment_intents').outcome?.type,
    );

    expect(outcomes).toEqual([
      undefined,
      'error-after-write',
      undefined,
      'error-after-write',
      undefined,
    ]);
    expect(faults.list()).toEqual([]);
  });

  test('when a Stripe rule has a rate outside (0, 1], then it is refused naming the field', () => {
    const faults = new FaultInjector();
    expect(() => faults.add({ type: 'delay', ms: 10, path: '/v1/', rate: 0 })).toThrow(/rate/);
    expect(() => faults.add({ type: 'delay', ms: 10, path: '/v1/', rate: 1.5 })).toThrow(/rate/);
  });

  test('when a simulator rule has a rate, then it applies to about that share of many requests and holds until cleared', () => {
    const faults = createFaultInjector();
    faults.add({ type: 'fail', status: 503, rate: 0.1 });

    let failed = 0;
    for (let i = 0; i < 10_000; i += 1) {
      if (faults.decide('PUT', '/v1/portals/p').outcome?.type === 'fail') failed += 1;
    }

    expect(failed).toBeGreaterThan(800);
    expect(failed).toBeLessThan(1200);
    expect(faults.list()).toHaveLength(1);
  });
});
