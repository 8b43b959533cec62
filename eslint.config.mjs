// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code is replayed: it may import @temporalio/workflow, types and pure domain
// code, never Node built-ins or I/O clients (as the Temporal samples enforce).
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'stripe',
  'pg',
  '@electric-sql/pglite',
  'fastify',
  // Schemas and the catalog run at checkout; the plan reaches the workflow as data,
  // which keeps the workflow bundle to the SDK and our own orchestration code.
  'zod',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Activities and ports are async by contract even when one implementation is not.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'test/harness/**/workflows.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: no I/O modules.',
          })),
          patterns: [
            {
              group: [
                '**/activities',
                '**/activities/*',
                '**/src/ledger',
                '**/src/ledger/*',
                '**/src/payments',
                '**/src/payments/*',
                '**/src/catalog',
                '**/src/catalog/*',
                '**/src/contract',
                '**/src/contract/*',
              ],
              allowTypeImports: true,
              message: 'Workflows import activities and services as types only (import type).',
            },
            {
              group: ['**/local', '**/local/*', '**/local/**'],
              message: 'Product code must not import the local stand-ins in local/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The product never depends on its local stand-ins (emulator, simulators, binaries,
    // the local stack): they live in local/ and may import the product, not the reverse.
    files: ['src/**/*.ts', 'activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/local', '**/local/*', '**/local/**'],
              message: 'Product code must not import the local stand-ins in local/.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
