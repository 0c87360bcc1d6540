import { base } from '@durable-delivery/eslint-config';

export default [
  { ignores: ['artifacts/**'] },
  ...base(import.meta.dirname),
  {
    // Every spec runs under the console guard, so a hydration mismatch or console error fails it.
    files: ['**/*.spec.ts'],
    ignores: ['harness/console-guard.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@playwright/test',
              importNames: ['test', 'expect'],
              message: 'Import test and expect from harness/console-guard (it fails a test on any console error).',
            },
          ],
        },
      ],
    },
  },
];
