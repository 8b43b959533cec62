import { describeStack } from '../../../local/stack/dev-command';
import type { LocalStack } from '../../../local/stack/local-stack';
import { loadConfig } from '../../../src/config';

const configured = 'ops-team:ops:*:operator-secret-that-must-never-be-printed-0001';

function stack(overrides: Partial<LocalStack>, env: Record<string, string> = {}): LocalStack {
  return {
    config: loadConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7233', ...env }),
    api: { url: 'http://127.0.0.1:8080', close: async () => undefined },
    ...overrides,
  } as LocalStack;
}

describe('what npm start prints', () => {
  it('when it made the keys itself, then it prints them for the sample calls', () => {
    const keys = { checkout: 'local-checkout-abc', ops: 'local-ops-def', read: 'local-read-ghi' };

    const text = describeStack(stack({ generatedApiKeys: keys }));

    for (const key of Object.values(keys)) expect(text).toContain(key);
    expect(text).toContain('Bearer local-checkout-abc');
  });

  it('when API_KEYS is configured, then no key is printed', () => {
    const text = describeStack(stack({}, { API_KEYS: configured }));

    expect(text).not.toContain('operator-secret');
    expect(text).toContain('from API_KEYS (not shown)');
  });
});
