import { ConfigError, loadConfig } from '../../../src/config';

test('when DATABASE_PREPARED_STATEMENTS is unset, then the ledger prepares its statements on PostgreSQL', () => {
  expect(loadConfig({}).DATABASE_PREPARED_STATEMENTS).toBe(true);
  expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).DATABASE_PREPARED_STATEMENTS).toBe(
    false,
  );
});

test('when DATABASE_PREPARED_STATEMENTS is neither true nor false, then the configuration names it', () => {
  expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(ConfigError);
  expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(
    /DATABASE_PREPARED_STATEMENTS: must be true or false/,
  );
});
