import { expect, test } from '../harness/console-guard';
import {
  deliveryCard,
  keepScreenshot,
  newPerson,
  orderIdOnPage,
  orderState,
  placeOrder,
  signInDriver,
  urls,
} from '../harness/app';

test('a customer orders two dishes, a driver picks them up and delivers, the customer rates the meal', async ({
  browser,
}) => {
  const customer = await newPerson(browser, urls().menu);
  const driver = await newPerson(browser, urls().driver);
  const { page } = customer;

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Menu' })).toBeVisible();
  await keepScreenshot(page, 'menu');

  await placeOrder(page, { dishes: { Poke: 1, 'Shoyu ramen': 1 }, name: 'Ada' });
  const orderId = await orderIdOnPage(page);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
  await expect(page.getByText('A driver will pick it up by')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Cart (0) items' })).toBeVisible();
  await keepScreenshot(page, 'order-paid');

  // The driver sees it waiting, with what to pick up and the area it goes to: not who ordered it, nor the street.
  await signInDriver(driver.page, 'dana');
  const waiting = deliveryCard(driver.page, 'waiting', orderId);
  await expect(waiting).toContainText('Poke, Shoyu ramen');
  await expect(waiting).toContainText('12345 Springfield');
  await expect(waiting).not.toContainText('Main Street');
  await expect(waiting).not.toContainText('Ada');
  await keepScreenshot(driver.page, 'driver-waiting');

  await waiting.getByRole('button', { name: /^Pick up/ }).click();
  await expect(driver.page.getByTestId('feedback')).toContainText('Picked up Poke, Shoyu ramen');
  // The driver who took it sees where, and for whom.
  const mine = deliveryCard(driver.page, 'mine', orderId);
  await expect(mine).toContainText('1 Main Street, 12345 Springfield');
  await expect(mine).toContainText('for Ada');
  await expect(deliveryCard(driver.page, 'waiting', orderId)).toHaveCount(0);
  // The customer's view agrees, live, without a reload.
  await expect(orderState(page)).toHaveAttribute('data-state', 'pickedUp');
  await expect(page.getByTestId('notifications').locator('[data-kind="pickedUp"]')).toContainText('is on its way');
  // Pushed live from the notification service: listed on this page, not toasted over it.
  await expect(page.getByTestId('notifications').locator('[data-kind="pickedUp"]')).toContainText('Sent');
  await expect(page.getByTestId('toasts').locator('[data-kind="pickedUp"]')).toHaveCount(0);

  await mine.getByRole('button', { name: /delivered$/ }).click();
  await expect(driver.page.getByTestId('feedback')).toContainText('Delivered Poke, Shoyu ramen');
  await expect(deliveryCard(driver.page, 'mine', orderId)).toHaveCount(0);
  await expect(orderState(page)).toHaveAttribute('data-state', 'delivered');
  await expect(page.getByTestId('notifications').locator('[data-kind="delivered"]')).toBeVisible();

  // The rating prompt arrives (1 s after delivery in this stack), then the customer rates.
  await expect(page.getByTestId('notifications').locator('[data-kind="ratePrompt"]')).toBeVisible();
  await page.getByLabel('4 stars').check();
  await page.getByLabel('Comment (optional)').fill('Hot and fast.');
  await keepScreenshot(page, 'order-delivered');
  await page.getByRole('button', { name: 'Send rating' }).click();
  await expect(page.getByText('You gave it 4 of 5 stars.')).toBeVisible();

  // The history comes from Temporal, so it survives a brand-new tab.
  const newTab = await customer.context.newPage();
  await newTab.goto('/orders');
  const row = newTab.locator(`li[data-order-id="${orderId}"]`);
  await expect(row).toContainText('Poke, Shoyu ramen');
  await expect(row).toContainText('Delivered');
  await keepScreenshot(newTab, 'order-history');

  await customer.context.close();
  await driver.context.close();
});
