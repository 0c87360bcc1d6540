import { type Page } from '@playwright/test';
import { expect, test } from '../harness/console-guard';
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

/** A driver picks the order up and delivers it, from the driver portal. */
async function deliverFromPortal(driver: Page, orderId: string): Promise<void> {
  await driver.goto('/');
  await deliveryCard(driver, 'waiting', orderId)
    .getByRole('button', { name: /^Pick up/ })
    .click();
  await deliveryCard(driver, 'mine', orderId)
    .getByRole('button', { name: /delivered$/ })
    .click();
  await expect(deliveryCard(driver, 'mine', orderId)).toHaveCount(0);
}

test('a customer earns points over two orders, reaches Bronze, redeems the reward, subscribes to the pass, orders with free delivery and cancels the pass', async ({
  browser,
}) => {
  const customer = await newPerson(browser, urls().menu);
  const driver = await newPerson(browser, urls().driver);
  const { page } = customer;
  await signInDriver(driver.page, 'rosa');

  // A first visit to Rewards: the program, nothing earned yet.
  await page.goto('/rewards');
  await expect(page.getByTestId('loyalty-points')).toHaveText('0 points');
  await expect(page.getByText('50 points to Bronze')).toBeVisible();
  await expect(page.getByText('No points yet.')).toBeVisible();

  // Two orders of 2 Poke ($29.00 + $2.99 delivery): 31 points each, delivered by the driver.
  const delivered: string[] = [];
  for (const name of ['first', 'second']) {
    await placeOrder(page, { dishes: { Poke: 2 }, name: 'Grace' });
    const orderId = await orderIdOnPage(page);
    await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
    await deliverFromPortal(driver.page, orderId);
    await expect(orderState(page)).toHaveAttribute('data-state', 'delivered');
    await expect(page.getByTestId('points-earned')).toContainText('You earned 31 points');
    delivered.push(orderId);
    if (name === 'second') {
      // Reaching a level is pushed to the customer as it happens.
      await expect(page.getByTestId('toasts').locator('[data-kind="levelReached"]')).toContainText(
        'You reached Bronze',
      );
    }
  }

  await page.getByRole('link', { name: 'Rewards', exact: true }).click();
  await expect(page.getByTestId('loyalty-points')).toHaveText('62 points');
  await expect(page.getByTestId('loyalty-level')).toHaveAttribute('data-level', 'bronze');
  await expect(page.getByTestId('point-history').locator('li')).toHaveCount(2);
  await expect(page.getByTestId('point-history').locator(`li[data-order-id="${delivered[1]}"]`)).toContainText('+31');
  const reward = page.getByTestId('rewards').locator('[data-reward-id="bronze-1"]');
  await expect(reward).toHaveAttribute('data-state', 'available');
  await expect(reward).toContainText('$3.00 off an order of $15.00 or more');
  await keepScreenshot(page, 'rewards');

  // Checkout with the reward: the summary shows it, the order is charged $3.00 less.
  await page.goto('/');
  await page.getByRole('button', { name: /^Add Shoyu ramen to cart/ }).click();
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await page.getByLabel('Bronze reward: $3.00 off an order of $15.00 or more').check();
  await expect(page.getByTestId('cart-discount')).toHaveText('−$3.00');
  await expect(page.getByTestId('cart-total')).toHaveText('$15.99');
  await page.getByLabel('Your name').fill('Grace');
  await page.getByLabel('Street and number').fill('1 Main Street');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Postal code').fill('12345');
  await page.getByRole('button', { name: 'Place order and pay' }).click();
  const discountedOrder = await orderIdOnPage(page);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
  await expect(page.getByTestId('order-discount')).toHaveText('−$3.00');
  await expect(page.getByTestId('order-total')).toHaveText('$15.99');

  await page.goto('/rewards');
  await expect(reward).toHaveAttribute('data-state', 'redeemed');
  await expect(reward).toContainText(`Used on order ${discountedOrder.slice(0, 8)}`);

  // Subscribe to the delivery pass (its billing period is the server's configuration).
  const passSection = page.getByRole('region', { name: 'Delivery pass' });
  await expect(passSection).toContainText('$9.99 every 10 minutes');
  await passSection.getByLabel('Visa ending 4242').check();
  await passSection.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page.getByTestId('pass-state')).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('pass-charged')).toContainText('1 time, $9.99 in all');
  await keepScreenshot(page, 'rewards-pass-active');

  // The next order's delivery is free: shown at checkout, decided and charged by the server.
  await placeOrderWithoutSubmitting(page);
  await expect(page.getByTestId('free-delivery')).toBeVisible();
  await expect(page.getByTestId('cart-delivery')).toContainText('Free');
  await page.getByRole('button', { name: 'Place order and pay' }).click();
  await orderIdOnPage(page);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
  await expect(page.getByTestId('order-delivery')).toContainText('Free with your pass');
  await expect(page.getByTestId('order-total')).toHaveText('$14.50');

  // Cancel: free delivery lasts to the end of the paid period; keep it after all.
  await page.goto('/rewards');
  await page.getByRole('button', { name: 'Cancel pass' }).click();
  await expect(page.getByTestId('pass-state')).toHaveAttribute('data-state', 'cancelling');
  await expect(passSection).toContainText('Delivery stays free until');
  await page.getByRole('button', { name: 'Keep my pass' }).click();
  await expect(page.getByTestId('pass-state')).toHaveAttribute('data-state', 'active');

  // Then, at phone width and with the keyboard, cancel it for good: the page fits and its buttons are reachable.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId('pass-state')).toHaveAttribute('data-state', 'active');
  await expectNoSidewaysScroll(page);
  await page.getByRole('button', { name: 'Cancel pass' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('pass-state')).toHaveAttribute('data-state', 'cancelling');
  await expect(page.getByRole('button', { name: 'Keep my pass' })).toBeVisible();
  await keepScreenshot(page, 'rewards-phone');

  await customer.context.close();
  await driver.context.close();
});

/** One Poke in the cart and the checkout form filled in, not yet submitted. */
async function placeOrderWithoutSubmitting(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: /^Add Poke to cart/ }).click();
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  await page.getByLabel('Your name').fill('Grace');
  await page.getByLabel('Street and number').fill('1 Main Street');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Postal code').fill('12345');
}
