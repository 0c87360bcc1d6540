import { defineConfig } from '@playwright/test';

/**
 * Debian's Chromium (installed by the project's bootstrap), never a browser Playwright downloads. The flags keep
 * it off the network: without the background-networking ones, Chromium calls home at every start, and on a closed
 * network (CI, this machine) those calls fail noisily.
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // The replicas spec starts (and kills) a stack of its own: scale/playwright.config.ts, run after this one.
  testIgnore: 'scale/**',
  outputDir: './artifacts/results',
  globalSetup: './harness/global-setup.ts',
  // The stack is shared and the machine is small: one browser flow at a time keeps every wait about the app.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  // Generous bounds on a noisy machine: these are limits on a hung test, not performance assertions.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [
    ['list'],
    ['./harness/count-reporter.ts'],
    ['html', { outputFolder: './artifacts/report', open: 'never' }],
  ],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_FLAGS,
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
  },
});
