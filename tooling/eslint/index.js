import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The base config for every TypeScript package. Type-aware, so that promise mistakes — the ones that lose work
 * silently in a durable system — are errors, not warnings.
 */
export function base(tsconfigRootDir) {
  return tseslint.config(
    // Plain-JS files here are configs and test set-up outside the TypeScript projects.
    { ignores: ['dist/**', 'coverage/**', '**/*.d.ts', '**/*.js', '**/*.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-misused-promises': 'error',
        '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        eqeqeq: ['error', 'always'],
      },
    },
    {
      files: ['test/**/*.ts', '**/*.test.ts'],
      rules: {
        // jest's expect(...).rejects and mocks are typed loosely; these rules only add noise in tests.
        '@typescript-eslint/unbound-method': 'off',
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unsafe-member-access': 'off',
        '@typescript-eslint/require-await': 'off',
      },
    },
    prettier,
  );
}

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/**
 * Workflow code runs in Temporal's deterministic sandbox and is replayed from history. It may import only the
 * workflow SDK, pure packages and the *types* of activities: no Node built-ins, no client or worker SDK, no I/O.
 */
export function workflowCode(files) {
  return [
    {
      files,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow code must be deterministic: Node built-ins are not available in the workflow sandbox.',
            })),
            patterns: [
              {
                group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
                message: 'Workflow code may import only @temporalio/workflow (and @temporalio/common).',
              },
              {
                group: ['@durable-delivery/activities', '@durable-delivery/activities/*'],
                allowTypeImports: true,
                message: 'Import activities as types only and call them through proxyActivities.',
              },
            ],
          },
        ],
        'no-restricted-globals': [
          'error',
          {
            name: 'setTimeout',
            message: 'Use sleep() or condition() from @temporalio/workflow: they are durable timers.',
          },
          { name: 'setInterval', message: 'Use a loop with sleep() from @temporalio/workflow.' },
          { name: 'process', message: 'Workflow code cannot read the environment; pass configuration as input.' },
        ],
      },
    },
  ];
}
