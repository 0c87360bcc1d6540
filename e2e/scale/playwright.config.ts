import { defineConfig } from '@playwright/test';
import shared from '../playwright.config';

/**
 * The specs that start a stack of their own, because they kill and restart its processes, so not the suite's shared
 * one (harness/global-setup.ts): the replicas spec (two of each process on the Temporal server on PostgreSQL, see
 * replicas.spec.ts) and the accounts outage (the driver app while its accounts' PostgreSQL is stopped and started,
 * accounts-outage.spec.ts), one after the other. The main config leaves this folder out; `pnpm test` in e2e runs
 * the suite and then this one (run-tests.mjs), so no two stacks share the machine.
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
