import { expect, test } from '../harness/console-guard';
import {
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

test('nobody picks the order up in time: the customer sees the refund, and drivers stop seeing the order', async ({
  browser,
}) => {
  // This menu server gives orders an 8-second pick-up window (ORDER_PICKUP_WINDOW), by configuration only.
  // The driver is on the board first: signing in on a busy machine can take longer than the whole window.
  const driver = await newPerson(browser, urls().driver);
  await signInDriver(driver.page, 'rowan');
  const customer = await newPerson(browser, urls().menuShortPickup);
  const { page } = customer;
  await placeOrder(page, { dishes: { 'Fish tacos': 2 } });
  const orderId = await orderIdOnPage(page);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');

  await expect(deliveryCard(driver.page, 'waiting', orderId)).toBeVisible();

  // The window closes; the workflow's timer refunds and notifies. The page follows without a reload.
  await expect(orderState(page)).toHaveAttribute('data-state', 'refunded', { timeout: 90_000 });
  const alert = alertIn(page);
  // One sentence after another ("Not picked up in time We refunded" came back once).
  await expect(alert).toContainText('Not picked up in time. We refunded $24.99.');
  await expect(page.getByTestId('notifications').locator('[data-kind="notPickedUpInTime"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);
  await keepScreenshot(page, 'order-refunded');

  await expect(deliveryCard(driver.page, 'waiting', orderId)).toHaveCount(0);

  await customer.context.close();
  await driver.context.close();
});
