import { defineConfig } from '@playwright/test';
import shared from '../playwright.config';

/**
 * The replicas spec: its own stack (two of each process on the Temporal server on PostgreSQL, see replicas.spec.ts),
 * started by the spec itself because it kills and restarts that stack's processes, so not the suite's shared one
 * (harness/global-setup.ts). The main config leaves this folder out; `pnpm test` in e2e runs both, one after the
 * other (run-tests.mjs), so the two stacks never share the machine.
 */
export default defineConfig({
  ...shared,
  testDir: '.',
  testMatch: '*.spec.ts',
  testIgnore: [],
  globalSetup: undefined,
  outputDir: '../artifacts/scale-results',
  reporter: [
    ['list'],
    ['../harness/count-reporter.ts'],
    ['html', { outputFolder: '../artifacts/scale-report', open: 'never' }],
  ],
});
