import { type Page } from '@playwright/test';
import { expect, test } from '../harness/console-guard';
import {
  WIDTHS,
  deliveryCard,
  newPerson,
  orderIdOnPage,
  orderState,
  placeOrder,
  signInDriver,
  urls,
} from '../harness/app';

/** Counts the page's status queries (each one a Temporal query): tRPC batches calls into one URL, so per call. */
function countStatusQueries(page: Page): { readonly count: () => number } {
  let count = 0;
  page.on('request', (request) => {
    const procedures = new URL(request.url()).pathname.split('/').pop() ?? '';
    count += procedures.split(',').filter((procedure) => procedure === 'orders.order').length;
  });
  return { count: () => count };
}

/** How long the page is watched doing nothing: at the old one-a-second polling, that would be about six queries. */
const QUIET_MS = 6_000;

for (const [width, options] of Object.entries(WIDTHS)) {
  test.describe(`live order status (${width})`, () => {
    test('while the stream is up the page asks nothing, and a driver’s click is pushed to it', async ({ browser }) => {
      const customer = await newPerson(browser, urls().menu, options);
      const driver = await newPerson(browser, urls().driver);
      const { page } = customer;
      await placeOrder(page, { dishes: { Burrata: 1 } });
      const orderId = await orderIdOnPage(page);
      await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
      await expect(page.getByTestId('order-page')).toHaveAttribute('data-live', 'open');
      await signInDriver(driver.page, 'sasha');
      await expect(deliveryCard(driver.page, 'waiting', orderId)).toBeVisible();
      // The one look the page takes as the stream opens has come and gone; from then on, nothing.
      const queries = countStatusQueries(page);
      await page.waitForTimeout(2_000);
      const settled = queries.count();
      await page.waitForTimeout(QUIET_MS);
      expect(queries.count()).toBe(settled);

      // The pick-up arrives as an event; the page asks once, because of it.
      await deliveryCard(driver.page, 'waiting', orderId)
        .getByRole('button', { name: /^Pick up/ })
        .click();
      await expect(orderState(page)).toHaveAttribute('data-state', 'pickedUp');
      await expect(page.getByText('Sasha picked it up at')).toBeVisible();
      await expect(page.getByTestId('notifications').locator('[data-kind="pickedUp"]')).toContainText('Sent');
      expect(queries.count() - settled).toBeGreaterThanOrEqual(1);
      expect(queries.count() - settled).toBeLessThanOrEqual(3);

      const afterPickUp = queries.count();
      await page.waitForTimeout(QUIET_MS);
      expect(queries.count()).toBe(afterPickUp);
      await customer.context.close();
      await driver.context.close();
    });

    test('with the stream down the page falls back to asking, and still follows the order', async ({
      browser,
      consoleErrors,
    }) => {
      // The test blocks the stream itself: the browser reports each refused connection.
      consoleErrors.allow(/net::ERR_FAILED \(at [^)]*\/api\/notifications/);
      const customer = await newPerson(browser, urls().menu, options);
      const driver = await newPerson(browser, urls().driver);
      const { page } = customer;
      await placeOrder(page, { dishes: { Tiramisu: 1 } });
      const orderId = await orderIdOnPage(page);
      // Another tab, where the stream cannot open: nothing is pushed to it.
      const tab = await customer.context.newPage();
      await tab.route('**/api/notifications**', (route) => route.abort());
      const queries = countStatusQueries(tab);
      await tab.goto(`/orders/${orderId}`);
      await expect(orderState(tab)).toHaveAttribute('data-state', 'paid');
      await expect(tab.getByTestId('order-page')).not.toHaveAttribute('data-live', 'open');
      await expect.poll(() => queries.count()).toBeGreaterThanOrEqual(2);

      await signInDriver(driver.page, 'sasha');
      await deliveryCard(driver.page, 'waiting', orderId)
        .getByRole('button', { name: /^Pick up/ })
        .click();
      await expect(orderState(tab)).toHaveAttribute('data-state', 'pickedUp');
      await customer.context.close();
      await driver.context.close();
    });
  });
}
