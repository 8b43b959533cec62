import { parseApiKeyEntries, parseApiKeys } from '../../../src/api/api-keys';

const SECRET = 'k'.repeat(40);

describe('API keys from configuration', () => {
  it('when keys are configured as NAME:ROLE:TENANTS:KEY, then each key answers its name, role and tenants', () => {
    const keys = parseApiKeys(
      `acme-shop:checkout:acme:${SECRET}1, ops-team:ops:*:${SECRET}2,reports:read:acme+globex:${SECRET}3`,
    );

    expect(keys.identify(`${SECRET}1`)).toEqual({
      name: 'acme-shop',
      role: 'checkout',
      tenants: new Set(['acme']),
    });
    expect(keys.identify(`${SECRET}2`)).toEqual({ name: 'ops-team', role: 'ops', tenants: '*' });
    expect(keys.identify(`${SECRET}3`)?.tenants).toEqual(new Set(['acme', 'globex']));
    expect(keys.identify(SECRET)).toBeUndefined();
    expect(keys.identify(`${SECRET}3 `)).toBeUndefined();
    expect(keys.identify('')).toBeUndefined();
  });

  it('when a key holds a colon, then everything after the tenants is the key', () => {
    const keys = parseApiKeys(`svc:read:*:abc:def`);

    expect(keys.identify('abc:def')?.name).toBe('svc');
  });

  it('when the old KEY:ROLE form is used, then it covers every tenant and is marked as old', () => {
    const [entry] = parseApiKeyEntries('dev-ops:ops');

    expect(entry).toMatchObject({ name: 'ops-key', role: 'ops', tenants: '*', legacy: true });
  });

  it('when a role is unknown, then the error names the variable, the entry and the roles', () => {
    expect(() => parseApiKeys(`a:checkout:*:${SECRET},b:admin:*:${SECRET}2`)).toThrow(
      'API_KEYS (entry 2): the role must be one of checkout, ops, read',
    );
  });

  it('when a tenant id is malformed or listed twice, then the error says so', () => {
    expect(() => parseApiKeys(`a:read:acme+a/b:${SECRET}`)).toThrow(
      /^API_KEYS \(entry 1\): the tenants must be \* or tenant ids joined by \+/,
    );
    expect(() => parseApiKeys(`a:read:acme+acme:${SECRET}`)).toThrow(
      /must not list a tenant twice/,
    );
    expect(() => parseApiKeys(`a:read::${SECRET}`)).toThrow(/^API_KEYS \(entry 1\): the tenants/);
  });

  it('when an entry has the wrong shape, then the error says the expected shape without echoing the key', () => {
    expect(() => parseApiKeys('just-a-secret-key')).toThrow(
      'API_KEYS (entry 1): must be NAME:ROLE:TENANTS:KEY (TENANTS is * or tenant ids joined by +)',
    );
    expect(() => parseApiKeys('a:read:*:')).toThrow(
      'API_KEYS (entry 1): the key must not be empty',
    );
    expect(() => parseApiKeys('bad name:read:*:s3cret-value')).toThrow(/the name must be/);
    expect(() => parseApiKeys('bad name:read:*:s3cret-value')).not.toThrow(/s3cret/);
  });

  it('when no key is configured, then the error says one is needed', () => {
    expect(() => parseApiKeys(undefined)).toThrow(/^API_KEYS: must list at least one NAME:ROLE/);
    expect(() => parseApiKeys(' , ')).toThrow(/^API_KEYS: must list at least one NAME:ROLE/);
  });

  it('when a key or a name is listed twice, then the configuration is refused', () => {
    expect(() => parseApiKeys(`a:read:*:${SECRET},b:ops:*:${SECRET}`)).toThrow(
      'API_KEYS: must not list a key twice',
    );
    expect(() => parseApiKeys(`a:read:*:${SECRET}1,a:ops:*:${SECRET}2`)).toThrow(
      /^API_KEYS: must not use a name twice/,
    );
  });
});
