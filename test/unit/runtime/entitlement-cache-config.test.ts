import { ConfigError, loadConfig } from '../../../src/config';

test('when the entitlement cache is not configured, then it keeps 200,000 answers and polls every 200 ms', () => {
  expect(loadConfig({})).toMatchObject({
    ENTITLEMENT_CACHE_MAX_ENTRIES: 200_000,
    ENTITLEMENT_CACHE_POLL_MS: 200,
  });
});

test('when the entitlement cache is sized and polled as configured, then the configuration carries both', () => {
  expect(
    loadConfig({ ENTITLEMENT_CACHE_MAX_ENTRIES: '1000000', ENTITLEMENT_CACHE_POLL_MS: '500' }),
  ).toMatchObject({ ENTITLEMENT_CACHE_MAX_ENTRIES: 1_000_000, ENTITLEMENT_CACHE_POLL_MS: 500 });
});

test('when the poll would pass the 1 s revocation bound or a size is malformed, then the configuration names the variable', () => {
  expect(() => loadConfig({ ENTITLEMENT_CACHE_POLL_MS: '1500' })).toThrow(ConfigError);
  expect(() => loadConfig({ ENTITLEMENT_CACHE_POLL_MS: '1500' })).toThrow(
    /ENTITLEMENT_CACHE_POLL_MS/,
  );
  expect(() => loadConfig({ ENTITLEMENT_CACHE_MAX_ENTRIES: 'lots' })).toThrow(
    /ENTITLEMENT_CACHE_MAX_ENTRIES/,
  );
});
