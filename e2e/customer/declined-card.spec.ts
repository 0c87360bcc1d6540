import { expect, test } from '../harness/console-guard';
import {
  alertIn,
  deliveryCard,
  keepScreenshot,
  newPerson,
  orderState,
  placeOrder,
  signInDriver,
  urls,
} from '../harness/app';

test('a declined card shows why, charges nothing, and no driver ever sees the order', async ({ browser }) => {
  const customer = await newPerson(browser, urls().menu);
  const { page } = customer;

  // The client makes the order id; read it from the checkout request to follow the order afterwards.
  const checkout = page.waitForRequest((request) => request.url().includes('orders.createOrder'));
  await placeOrder(page, { dishes: { Margherita: 1 }, card: 'Card with insufficient funds' });
  const declinedOrderId = (JSON.parse((await checkout).postData() ?? '{}') as { 0: { orderId: string } })[0].orderId;

  const alert = alertIn(page);
  await expect(alert).toContainText('Your card was declined');
  await expect(alert).toContainText('insufficient funds');
  await expect(alert).toContainText('Nothing was charged');
  await expect(page).toHaveURL(/\/checkout$/);
  await keepScreenshot(page, 'checkout-declined');

  // The attempt is not an order: My orders does not list it (it charged nothing); its own page still explains it.
  await page.goto('/orders');
  await expect(page.getByText('You have not ordered anything yet.')).toBeVisible();
  await expect(page.locator(`li[data-order-id="${declinedOrderId}"]`)).toHaveCount(0);
  await page.goto(`/orders/${declinedOrderId}`);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paymentFailed');
  await expect(page.getByTestId('notifications').locator('[data-kind="paymentFailed"]')).toBeVisible();

  // Another card works, with a new order id (the declined order is final).
  await placeOrder(page, { dishes: { Margherita: 1 }, card: 'Visa ending 4242' });
  await page.waitForURL(/\/orders\//);
  const paidOrderId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  expect(paidOrderId).not.toBe(declinedOrderId);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
  await page.goto('/orders');
  await expect(page.locator(`li[data-order-id="${paidOrderId}"]`)).toBeVisible();
  await expect(page.getByTestId('order-history').locator('li')).toHaveCount(1);

  // A driver's list shows the paid order and never the declined one.
  const driver = await newPerson(browser, urls().driver);
  await signInDriver(driver.page, 'declan');
  await expect(deliveryCard(driver.page, 'waiting', paidOrderId)).toBeVisible();
  await expect(deliveryCard(driver.page, 'waiting', declinedOrderId)).toHaveCount(0);

  await customer.context.close();
  await driver.context.close();
});
