import { parseApiKeys } from '../../../src/api/api-keys';

describe('API keys from configuration', () => {
  it('when keys are configured with roles, then each key answers its role and nothing else matches', () => {
    const keys = parseApiKeys('checkout-key-1:checkout, ops-key-2:ops,read-key-3:read');

    expect(keys.roleOf('checkout-key-1')).toBe('checkout');
    expect(keys.roleOf('ops-key-2')).toBe('ops');
    expect(keys.roleOf('read-key-3')).toBe('read');
    expect(keys.roleOf('read-key')).toBeUndefined();
    expect(keys.roleOf('read-key-3 ')).toBeUndefined();
    expect(keys.roleOf('')).toBeUndefined();
  });

  it('when a role is unknown, then the error names the variable and the entry', () => {
    expect(() => parseApiKeys('k1:checkout,k2:admin')).toThrow(/^API_KEYS \(entry 2\): /);
  });

  it('when an entry has no role, then the error says the expected shape', () => {
    expect(() => parseApiKeys('just-a-key')).toThrow('API_KEYS (entry 1): must be KEY:ROLE');
  });

  it('when no key is configured, then the error says one is needed', () => {
    expect(() => parseApiKeys(undefined)).toThrow('API_KEYS: must list at least one KEY:ROLE');
    expect(() => parseApiKeys(' , ')).toThrow('API_KEYS: must list at least one KEY:ROLE');
  });

  it('when a key is listed twice, then the configuration is refused', () => {
    expect(() => parseApiKeys('k1:read,k1:ops')).toThrow('API_KEYS: must not list a key twice');
  });
});
