import { expect, test } from '../harness/console-guard';
import { deliveryCard, newPerson, orderIdOnPage, orderState, placeOrder, signInDriver, urls } from '../harness/app';

test('a customer cancels before pickup: refunded, and the order leaves the drivers’ list', async ({ browser }) => {
  const customer = await newPerson(browser, urls().menu);
  const driver = await newPerson(browser, urls().driver);
  const bystander = await newPerson(browser, urls().menu);
  await bystander.page.goto('/');
  const { page } = customer;
  await placeOrder(page, { dishes: { Tiramisu: 3 } });
  const orderId = await orderIdOnPage(page);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');

  await signInDriver(driver.page, 'casey');
  await expect(deliveryCard(driver.page, 'waiting', orderId)).toBeVisible();

  await page.getByRole('button', { name: 'Cancel order' }).click();
  await page.getByRole('button', { name: 'Yes, cancel the order' }).click();
  await expect(orderState(page)).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByRole('status').filter({ hasText: 'Order cancelled' })).toContainText('We refunded $23.99.');
  // Pushed to this customer's open page, which lists it (no toast over the page it is about), and to nobody else.
  await expect(page.getByTestId('notifications').locator('[data-kind="cancelled"]')).toContainText('Sent');
  await expect(page.getByTestId('toasts').locator('[data-kind="cancelled"]')).toHaveCount(0);
  await expect(bystander.page.getByTestId('toasts').locator('[data-kind]')).toHaveCount(0);

  await expect(deliveryCard(driver.page, 'waiting', orderId)).toHaveCount(0);

  await customer.context.close();
  await driver.context.close();
  await bystander.context.close();
});

test('a customer cannot cancel once a driver has picked the order up', async ({ browser }) => {
  const customer = await newPerson(browser, urls().menu);
  const driver = await newPerson(browser, urls().driver);
  const { page } = customer;
  await placeOrder(page, { dishes: { Burrata: 1 } });
  const orderId = await orderIdOnPage(page);
  await expect(page.getByRole('button', { name: 'Cancel order' })).toBeVisible();

  await signInDriver(driver.page, 'casey');
  await deliveryCard(driver.page, 'waiting', orderId)
    .getByRole('button', { name: /^Pick up/ })
    .click();
  await expect(deliveryCard(driver.page, 'mine', orderId)).toBeVisible();

  // The page drops the button as soon as it sees the pick-up.
  await expect(orderState(page)).toHaveAttribute('data-state', 'pickedUp');
  await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);

  await customer.context.close();
  await driver.context.close();
});
