import { test as base, expect, type Browser, type BrowserContext } from '@playwright/test';

/**
 * The console guard: every spec that imports `test` from here fails if any page it opened logged an error to the
 * console or threw one uncaught, which is how a production React build reports a hydration mismatch ("Minified
 * React error #418"), and how the browser reports a CSP violation or a failed request. A test that causes an error
 * on purpose (a refused request the page shows) names it with the `consoleErrors.allow(/…/)` fixture, in the test
 * or in a `beforeEach` for a whole spec (one way: an array given to `test.use` is read by Playwright as a
 * [value, options] pair, which would drop patterns); anything else is a finding.
 */

export interface ConsoleErrors {
  /** Also allow these for the rest of this test. */
  allow(...patterns: RegExp[]): void;
  /** What was logged so far, allowed or not (for a test that asserts on an expected error). */
  readonly seen: readonly string[];
}

/** The console line Chromium writes for an HTTP error answer: for an allow-list of an expected refusal. */
export function httpStatusError(status: number): RegExp {
  return new RegExp(`Failed to load resource: the server responded with a status of ${status}\\b`);
}

export const test = base.extend<{ consoleErrors: ConsoleErrors }>({
  consoleErrors: [
    async ({ browser }, use, testInfo) => {
      const allowed: RegExp[] = [];
      const seen: string[] = [];
      const watch = (context: BrowserContext) => {
        context.on('console', (message) => {
          if (message.type() !== 'error') return;
          const where = message.location().url;
          seen.push(`${message.text()}${where ? ` (at ${where})` : ''}`);
        });
        context.on('weberror', (error) => {
          seen.push(`uncaught: ${error.error().message} (in ${error.page()?.url() ?? 'a page'})`);
        });
      };
      // Every context the test makes, its own or Playwright's `page` and `context` fixtures (made the same way).
      const restore = watchNewContexts(browser, watch);
      try {
        await use({ allow: (...patterns) => allowed.push(...patterns), seen });
      } finally {
        restore();
      }
      const unexpected = seen.filter((text) => !allowed.some((pattern) => pattern.test(text)));
      if (seen.length > 0)
        await testInfo.attach('console errors', { body: seen.join('\n'), contentType: 'text/plain' });
      expect(unexpected, 'console errors or uncaught errors in the browser (hydration mismatches among them)').toEqual(
        [],
      );
    },
    { auto: true },
  ],
});

export { expect };

function watchNewContexts(browser: Browser, watch: (context: BrowserContext) => void): () => void {
  const original = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const context = await original(...args);
    watch(context);
    return context;
  };
  return () => {
    browser.newContext = original;
  };
}
