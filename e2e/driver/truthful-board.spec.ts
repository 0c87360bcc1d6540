import { type Browser, type Page, type ViewportSize } from '@playwright/test';
import { expect, httpStatusError, test } from '../harness/console-guard';
import {
  deliveryCard,
  expectNoSidewaysScroll,
  keepScreenshot,
  newPerson,
  orderIdOnPage,
  orderState,
  placeOrder,
  signInDriver,
  urls,
} from '../harness/app';

/** The number people see for an order (shortOrderNumber): never the whole id, never an account id. */
const orderNumber = (orderId: string) => orderId.slice(0, 8);

/**
 * Makes the board's lists fail to refresh, as when the server cannot be reached, while its actions still go
 * through: a card then stays on screen after its order has changed, as it can for a moment any time.
 */
async function cutListRefreshes(page: Page): Promise<() => Promise<void>> {
  const isList = (url: URL) => /deliveries\.(waiting|mine)/.test(url.pathname);
  await page.route(isList, (route) => route.abort('internetdisconnected'));
  return () => page.unroute(isList);
}

// The spec cuts the lists' refreshes and goes offline on purpose, and a refused pick-up is a 409: the browser reports
// each. Anything else in the console (a hydration mismatch among them) fails the test.
test.beforeEach(({ consoleErrors }) => consoleErrors.allow(/net::ERR_INTERNET_DISCONNECTED/, httpStatusError(409)));

/** The customer cancels as their order page does, so the spec does not depend on how that page asks to confirm. */
async function cancelAsCustomer(page: Page, orderId: string): Promise<void> {
  const status = await page.evaluate(async (id) => {
    const response = await fetch('/api/trpc/orders.cancel', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: id }),
    });
    return response.status;
  }, orderId);
  expect(status).toBe(200);
}

/** A customer's paid order (one dish, from the menu at `menu`), and a new driver signed in on a screen this size. */
async function paidOrderAndDriver(
  browser: Browser,
  { menu, dish, driverName, viewport }: { menu: string; dish: string; driverName: string; viewport: ViewportSize },
) {
  const customer = await newPerson(browser, menu);
  await placeOrder(customer.page, { dishes: { [dish]: 1 } });
  const orderId = await orderIdOnPage(customer.page);
  await expect(orderState(customer.page)).toHaveAttribute('data-state', 'paid');
  const driver = await newPerson(browser, urls().driver);
  await driver.page.setViewportSize(viewport);
  const account = await signInDriver(driver.page, driverName);
  return { customer, orderId, driver, account };
}

for (const viewport of [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`${viewport.name}: pick up on an order the customer just cancelled says it was cancelled and when, never "not found"`, async ({
    browser,
  }) => {
    const { customer, orderId, driver, account } = await paidOrderAndDriver(browser, {
      menu: urls().menu,
      dish: 'Poke',
      driverName: 'dora',
      viewport,
    });
    const card = deliveryCard(driver.page, 'waiting', orderId);
    // The server's pickup deadline, counting down in the browser.
    await expect(card.getByTestId('deadline')).toContainText('Pick up by');
    const countdown = card.getByRole('timer');
    await expect(countdown).toHaveText(/^\d+:\d\d left$/);
    const before = await countdown.textContent();
    await expect(countdown).not.toHaveText(before ?? '');

    const restore = await cutListRefreshes(driver.page);
    const stale = driver.page.getByTestId('list-waiting').getByTestId('stale');
    await expect(stale).toContainText('not up to date');
    await expect(stale).toContainText('last updated');
    await expect(card).toBeVisible();

    await cancelAsCustomer(customer.page, orderId);
    await expect(orderState(customer.page)).toHaveAttribute('data-state', /cancelled|refunded/);

    await card.getByRole('button', { name: /^Pick up/ }).click();
    const refusal = driver.page.getByTestId('feedback').getByRole('alert');
    await expect(refusal).toContainText(
      new RegExp(`Cannot pick up order ${orderNumber(orderId)}: it was cancelled by the customer at \\d`),
    );
    await expect(refusal).not.toContainText('not found');
    for (const secret of [orderId, account.id]) await expect(refusal).not.toContainText(secret);
    await expect(refusal).toBeInViewport();
    await expectNoSidewaysScroll(driver.page);

    // The connection is back: the board says nothing about staleness, and the cancelled order has left the list.
    await restore();
    await expect(stale).toHaveCount(0);
    await expect(card).toHaveCount(0);

    await customer.context.close();
    await driver.context.close();
  });

  test(`${viewport.name}: offline, the board says its lists may be out of date and recovers by itself`, async ({
    browser,
  }) => {
    const driver = await newPerson(browser, urls().driver);
    await driver.page.setViewportSize(viewport);
    await signInDriver(driver.page, 'olaf');
    await driver.context.setOffline(true);
    for (const list of ['waiting', 'mine']) {
      await expect(driver.page.getByTestId(`list-${list}`).getByTestId('stale')).toContainText(
        'Cannot reach the server',
      );
    }
    await expectNoSidewaysScroll(driver.page);
    await driver.context.setOffline(false);
    await expect(driver.page.getByTestId('stale')).toHaveCount(0);
    await driver.context.close();
  });

  test(`${viewport.name}: an order whose delivery window closes in the driver's hands stays on their board until acknowledged`, async ({
    browser,
  }) => {
    const { customer, orderId, driver, account } = await paidOrderAndDriver(browser, {
      menu: urls().menuShortDelivery,
      dish: 'Burrata',
      driverName: 'dev',
      viewport,
    });
    await deliveryCard(driver.page, 'waiting', orderId)
      .getByRole('button', { name: /^Pick up/ })
      .click();
    const card = deliveryCard(driver.page, 'mine', orderId);
    await expect(card.getByTestId('deadline')).toContainText('Deliver by');
    await expect(card.getByRole('timer')).toHaveText(/left$/);
    await expectNoSidewaysScroll(driver.page);
    await keepScreenshot(driver.page, `driver-board-deadline-${viewport.name}`);

    // The card stays as it was while the window closes (the list cannot refresh), so Delivered is pressed late.
    const restore = await cutListRefreshes(driver.page);
    await expect(card.getByRole('timer')).toHaveText('delivery window closed', { timeout: 60_000 });
    await expect(orderState(customer.page)).toHaveAttribute('data-state', 'refunded', { timeout: 60_000 });
    await card.getByRole('button', { name: /^Mark .* delivered$/ }).click();
    const refusal = driver.page.getByTestId('feedback').getByRole('alert');
    await expect(refusal).toContainText(
      new RegExp(
        `Cannot deliver order ${orderNumber(orderId)}: it was refunded: it was not delivered in time\\. The delivery window closed at \\d`,
      ),
    );
    await expect(refusal).not.toContainText('not found');
    for (const secret of [orderId, account.id]) await expect(refusal).not.toContainText(secret);
    await restore();

    // Still on the board, with what happened, after the refresh and after a reload.
    for (const moment of ['refreshed', 'reloaded']) {
      if (moment === 'reloaded') await driver.page.reload();
      await expect(card.getByTestId('order-ending')).toContainText('Delivery window closed — refunded at');
      await expect(card.getByRole('button', { name: /^Mark .* delivered$/ })).toHaveCount(0);
    }
    await expectNoSidewaysScroll(driver.page);
    await keepScreenshot(driver.page, `driver-board-window-closed-${viewport.name}`);

    await card.getByRole('button', { name: /^Acknowledge/ }).click();
    await expect(card).toHaveCount(0);
    // Acknowledged for good: the next refresh and a reload keep it off the board.
    await driver.page.waitForResponse((response) => response.url().includes('deliveries.mine'));
    await expect(card).toHaveCount(0);
    await driver.page.reload();
    await expect(driver.page.getByTestId('list-mine').getByRole('heading', { name: 'My deliveries' })).toBeVisible();
    await expect(card).toHaveCount(0);

    await customer.context.close();
    await driver.context.close();
  });
}

test("a long word in an address wraps inside its card, on the waiting list and on the driver's own, at phone width", async ({
  browser,
}) => {
  const word = (letter: string, length: number) => letter.repeat(length);
  const customer = await newPerson(browser, urls().menu);
  await placeOrder(customer.page, {
    dishes: { Poke: 1 },
    name: word('N', 90),
    address: { street: `1 ${word('S', 196)}`, city: word('C', 90), instructions: word('I', 196) },
  });
  const orderId = await orderIdOnPage(customer.page);

  const driver = await newPerson(browser, urls().driver);
  await driver.page.setViewportSize({ width: 390, height: 844 });
  await signInDriver(driver.page, 'lena');
  const expectInside = async (list: 'waiting' | 'mine') => {
    const card = deliveryCard(driver.page, list, orderId);
    await expect(card).toBeVisible();
    const box = await card.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(390);
    await expectNoSidewaysScroll(driver.page);
  };
  await expectInside('waiting');
  await deliveryCard(driver.page, 'waiting', orderId)
    .getByRole('button', { name: /^Pick up/ })
    .click();
  await expect(deliveryCard(driver.page, 'mine', orderId)).toContainText(word('I', 196));
  await expectInside('mine');

  await customer.context.close();
  await driver.context.close();
});
