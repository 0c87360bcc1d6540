import { randomUUID } from 'node:crypto';
import { type Locator, type Page } from '@playwright/test';
import { shortOrderNumber } from '@durable-delivery/workflows/messages';
import { expect, httpStatusError, test } from '../harness/console-guard';
import {
  WIDTHS,
  alertIn,
  deliveryCard,
  keepScreenshot,
  newPerson,
  orderIdOnPage,
  orderState,
  placeOrder,
  signInDriver,
  urls,
} from '../harness/app';

/** True when any call in the request is the order's status query (tRPC batches calls into one URL). */
function isStatusQuery(url: string): boolean {
  const procedures = new URL(url).pathname.split('/').pop() ?? '';
  return procedures.split(',').includes('orders.order');
}

/** The control is on top where it is drawn: nothing (a toast) covers its middle. */
async function expectUncovered(page: Page, control: Locator): Promise<void> {
  await control.scrollIntoViewIfNeeded();
  const box = await control.boundingBox();
  expect(box).not.toBeNull();
  const onTop = await control.evaluate(
    (element, { x, y }) => {
      const hit = document.elementFromPoint(x, y);
      return hit !== null && (hit === element || element.contains(hit));
    },
    { x: box!.x + box!.width / 2, y: box!.y + box!.height / 2 },
  );
  expect(onTop).toBe(true);
}

for (const [width, options] of Object.entries(WIDTHS)) {
  test.describe(`order page (${width})`, () => {
    test('Cancel is not the first Tab stop, and asks before it cancels', async ({ browser }) => {
      const customer = await newPerson(browser, urls().menu, options);
      const { page } = customer;
      await placeOrder(page, { dishes: { Tiramisu: 1 } });
      const orderId = await orderIdOnPage(page);
      await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
      await expect(page.getByTestId('order-number')).toHaveText(`Order ${shortOrderNumber(orderId)}`);

      // As the page is opened from a link: skip to the content, then Tab: the first stop is the way back, not Cancel.
      await page.reload();
      await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
      await page.keyboard.press('Tab');
      await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await expect(page.getByRole('link', { name: '← My orders' })).toBeFocused();

      // Cancel asks; the safe answer has the focus, and Escape keeps the order.
      await page.getByRole('button', { name: 'Cancel order' }).click();
      const confirmation = page.getByTestId('cancel-confirmation');
      await expect(confirmation).toContainText(`Cancel order ${shortOrderNumber(orderId)}?`);
      await expect(page.getByRole('button', { name: 'Keep my order' })).toBeFocused();
      await keepScreenshot(page, `order-cancel-confirm-${width}`);
      await page.keyboard.press('Escape');
      await expect(confirmation).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Cancel order' })).toBeFocused();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Keep my order' }).click();
      await expect(orderState(page)).toHaveAttribute('data-state', 'paid');

      await page.getByRole('button', { name: 'Cancel order' }).click();
      await page.getByRole('button', { name: 'Yes, cancel the order' }).click();
      await expect(orderState(page)).toHaveAttribute('data-state', 'cancelled');
      await customer.context.close();
    });

    test('a cancel that loses to a pick-up is explained, by order number and driver name, and stays', async ({
      browser,
      consoleErrors,
    }) => {
      // The test holds the page's view still by refusing its stream and status calls; the cancel is refused (409).
      consoleErrors.allow(/net::ERR_FAILED/, httpStatusError(409));
      const customer = await newPerson(browser, urls().menu, options);
      const driver = await newPerson(browser, urls().driver);
      const { page } = customer;
      await placeOrder(page, { dishes: { Burrata: 1 } });
      const orderId = await orderIdOnPage(page);
      await expect(orderState(page)).toHaveAttribute('data-state', 'paid');

      // The race, made certain: the page hears nothing of the pick-up (no push, no status), so Cancel is still there.
      await page.route('**/api/notifications**', (route) => route.abort());
      await page.route(
        (url) => isStatusQuery(url.href),
        (route) => route.abort(),
      );
      const login = await signInDriver(driver.page, 'casey');
      await deliveryCard(driver.page, 'waiting', orderId)
        .getByRole('button', { name: /^Pick up/ })
        .click();
      await expect(deliveryCard(driver.page, 'mine', orderId)).toBeVisible();

      await page.getByRole('button', { name: 'Cancel order' }).click();
      await page.getByRole('button', { name: 'Yes, cancel the order' }).click();
      const refusal = alertIn(page).filter({ hasText: 'Could not cancel' });
      await expect(refusal).toContainText(
        `Cannot cancel order ${shortOrderNumber(orderId)}: it was already picked up by Casey.`,
      );
      await expect(refusal).not.toContainText(login.username);
      await expect(refusal).not.toContainText(orderId);

      // A refresh: the page works out from the order why it was not cancelled, and says so.
      await page.unrouteAll();
      await page.reload();
      await expect(orderState(page)).toHaveAttribute('data-state', 'pickedUp');
      const explained = page.getByTestId('cancel-lost');
      await expect(explained).toContainText('Too late to cancel');
      await expect(explained).toContainText(`Casey had already picked up order ${shortOrderNumber(orderId)} at`);
      await expect(page.getByText('Casey picked it up at')).toBeVisible();
      await expect(page.getByRole('main')).not.toContainText(login.username);
      await expect(page.getByRole('main')).not.toContainText(orderId);
      await keepScreenshot(page, `order-cancel-lost-${width}`);
      await customer.context.close();
      await driver.context.close();
    });

    test('a stranger’s order link and a made-up one are not found, from the server at once', async ({
      browser,
      consoleErrors,
    }) => {
      // The not-found page is answered with its 404, which the browser reports.
      consoleErrors.allow(httpStatusError(404));
      const owner = await newPerson(browser, urls().menu, options);
      await placeOrder(owner.page, { dishes: { Poke: 1 } });
      const orderId = await orderIdOnPage(owner.page);
      const stranger = await newPerson(browser, urls().menu, options);
      await stranger.page.goto('/');

      for (const id of [orderId, randomUUID()]) {
        const response = await stranger.page.goto(`/orders/${id}`);
        expect(response?.status()).toBe(404);
        // In the HTML as it came from the server: no skeleton to wait through, no query from the browser.
        const html = await response!.text();
        expect(html).toContain('Order not found');
        expect(html).not.toContain('Loading your order');
        await expect(stranger.page.getByRole('heading', { name: 'Order not found' })).toBeVisible();
      }
      await owner.context.close();
      await stranger.context.close();
    });

    test('toasts never cover the rating form, and the order on screen is not toasted over itself', async ({
      browser,
    }) => {
      const customer = await newPerson(browser, urls().menu, options);
      const driver = await newPerson(browser, urls().driver);
      const { page } = customer;
      await placeOrder(page, { dishes: { 'Fish tacos': 1 } });
      const other = await orderIdOnPage(page);
      await placeOrder(page, { dishes: { Poke: 1 } });
      const orderId = await orderIdOnPage(page);

      await signInDriver(driver.page, 'robin');
      await deliveryCard(driver.page, 'waiting', orderId)
        .getByRole('button', { name: /^Pick up/ })
        .click();
      await deliveryCard(driver.page, 'mine', orderId)
        .getByRole('button', { name: /delivered$/ })
        .click();
      await expect(orderState(page)).toHaveAttribute('data-state', 'delivered');
      await expect(page.getByTestId('notifications').locator('[data-kind="delivered"]')).toBeVisible();

      // The other order moves on while this page is open: its toast comes, this order's own do not.
      await deliveryCard(driver.page, 'waiting', other)
        .getByRole('button', { name: /^Pick up/ })
        .click();
      const toasts = page.getByTestId('toasts');
      await expect(toasts.getByRole('link', { name: `See order ${shortOrderNumber(other)}` })).toBeVisible();
      await expect(toasts.getByRole('link', { name: `See order ${shortOrderNumber(orderId)}` })).toHaveCount(0);

      await page.getByLabel('5 stars').check();
      const send = page.getByRole('button', { name: 'Send rating' });
      await expectUncovered(page, send);
      await keepScreenshot(page, `order-rating-with-toast-${width}`);
      await send.click();
      await expect(page.getByText('You gave it 5 of 5 stars.')).toBeVisible();
      await customer.context.close();
      await driver.context.close();
    });

    test('offline, the page says it shows the order as it was, and recovers', async ({ browser, consoleErrors }) => {
      // Offline, every request the page tries fails in the browser.
      consoleErrors.allow(/net::ERR_INTERNET_DISCONNECTED|net::ERR_FAILED|net::ERR_NETWORK_CHANGED/);
      const customer = await newPerson(browser, urls().menu, options);
      const { page, context } = customer;
      await placeOrder(page, { dishes: { Tiramisu: 1 } });
      await orderIdOnPage(page);
      await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
      await expect(page.getByTestId('stale')).toHaveCount(0);

      await context.setOffline(true);
      await expect(page.getByTestId('stale')).toContainText('You are offline');
      await expect(page.getByTestId('stale')).toContainText('This is your order as of');
      await keepScreenshot(page, `order-offline-${width}`);
      await context.setOffline(false);
      await expect(page.getByTestId('stale')).toHaveCount(0);
      await customer.context.close();
    });

    test('copy: a customer with no points wears no “Member” badge', async ({ browser }) => {
      const customer = await newPerson(browser, urls().menu, options);
      await customer.page.goto('/rewards');
      await expect(customer.page.getByTestId('loyalty-points')).toHaveText('0 points');
      await expect(customer.page.getByTestId('loyalty-level')).toHaveCount(0);
      await expect(customer.page.getByRole('main')).not.toContainText('Member');
      await customer.context.close();
    });

    test('copy: a declined pass reads as sentences (no “funds..”)', async ({ browser }) => {
      const customer = await newPerson(browser, urls().menu, options);
      const { page } = customer;
      await page.goto('/rewards');
      const passSection = page.getByRole('region', { name: 'Delivery pass' });
      await passSection.getByLabel('Card with insufficient funds').check();
      await passSection.getByRole('button', { name: 'Subscribe' }).click();
      const declined = passSection.getByRole('alert').filter({ hasText: 'Your card was declined' });
      await expect(declined).toContainText('Your card has insufficient funds. Nothing was charged');
      await expect(declined).not.toContainText('..');
      await customer.context.close();
    });
  });
}
