import { expect, httpStatusError, test } from './console-guard';

// The guard itself: a test that logs an error it did not allow, or throws one uncaught, must fail (test.fail()
// turns that expected failure into a pass, and an unexpected pass into a failure).
test.describe('the console guard', () => {
  test('fails a test whose page logs an error to the console', async ({ page }) => {
    test.fail();
    await page.setContent('<p>hello</p>');
    await page.evaluate(() => console.error('something broke'));
  });

  test('fails a test whose page throws an uncaught error', async ({ page }) => {
    test.fail();
    await page.setContent('<p>hello</p>');
    await page.evaluate(() =>
      setTimeout(() => {
        throw new Error('uncaught');
      }),
    );
    await page.waitForTimeout(100);
  });

  test('fails a test on an error in a context the test made itself', async ({ browser }) => {
    test.fail();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent('<p>hello</p>');
    await page.evaluate(() => console.error('in my own context'));
    await context.close();
  });

  test.describe('with an allow-list', () => {
    // For every test of a describe (or file), as specs that cause errors on purpose do.
    test.beforeEach(({ consoleErrors }) => consoleErrors.allow(/expected refusal/, /another expected one/));

    test('passes a test whose errors are all allowed, for the spec or for one step', async ({
      page,
      consoleErrors,
    }) => {
      await page.setContent('<p>hello</p>');
      await page.evaluate(() => console.error('an expected refusal'));
      await page.evaluate(() => console.error('another expected one'));
      consoleErrors.allow(httpStatusError(409));
      await page.evaluate(() => console.error('Failed to load resource: the server responded with a status of 409 ()'));
      await expect.poll(() => consoleErrors.seen.length).toBe(3);
    });
  });
});
