// Four layers, one run: pure unit tests; services on real databases and emulators; workflow tests on the time-skipping server
// (each file starts its own, since skipped time is global to a server); integration
// tests on one dev server that test/integration/global-setup.ts starts for the run.
// A project's global setup runs only when one of its tests is selected.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
// Dynamic imports in CommonJS name their file with .js (node16 resolution); jest maps it back.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
const common = {
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
};
const stripeTestMode = 'test/services/payments/stripe-test-mode.test.ts';
const temporal = { ...common, setupFiles: ['<rootDir>/test/quiet-temporal-logs.ts'] };

/** @type {import('jest').Config} */
module.exports = {
  transform,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // Our services on real parts (PostgreSQL and PGlite, the Stripe emulator, the
    // provisioning simulators, the HTTP API), without Temporal.
    // Without DATABASE_URL, its global setup starts PostgreSQL where this machine allows.
    {
      ...common,
      displayName: 'services',
      testMatch: ['<rootDir>/test/services/**/*.test.ts'],
      testPathIgnorePatterns: [stripeTestMode],
      globalSetup: '<rootDir>/test/postgres-global-setup.ts',
    },
    // The payment flows against Stripe's own test mode run only when a test key is given
    // (STRIPE_SECRET_KEY=sk_test_… npm test -- --selectProjects stripe): without one there
    // is nothing to run them on, and the emulator's run of the same flows stays in `services`.
    ...(process.env.STRIPE_SECRET_KEY
      ? [{ ...common, displayName: 'stripe', testMatch: [`<rootDir>/${stripeTestMode}`] }]
      : []),
    {
      ...temporal,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
      globalSetup: '<rootDir>/test/workflows/global-setup.ts',
    },
    {
      ...temporal,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
  testTimeout: 60_000,
  // Two test files at a time, also on 2 cores: most of a file's time is its servers
  // starting and waiting on each other, so the whole run took 563 s against 864 s one file
  // at a time. Integration files share the dev server, each on a task queue of its own.
  maxWorkers: 2,
};
