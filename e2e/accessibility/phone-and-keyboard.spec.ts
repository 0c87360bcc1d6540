import { expect, test } from '../harness/console-guard';
import { expectNoSidewaysScroll, keepScreenshot, newPerson, orderIdOnPage, signInDriver, urls } from '../harness/app';

test('at phone width, with the keyboard only: fields are named, mistakes are announced and focused, one order is placed', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: urls().menu, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();

  await page.goto('/');
  await expectNoSidewaysScroll(page);
  // Keyboard: focus the dish's button and press Enter, as a keyboard user does after tabbing to it.
  await page.getByRole('button', { name: /^Add Poke to cart/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('link', { name: 'Cart (1) item' })).toBeVisible();
  await keepScreenshot(page, 'menu-phone');

  await page.getByRole('link', { name: 'Go to checkout' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  await expectNoSidewaysScroll(page);

  // Submitting with the address missing: each field says what is wrong, and focus lands on the first one.
  await page.getByRole('button', { name: 'Place order and pay' }).focus();
  await page.keyboard.press('Enter');
  const street = page.getByLabel('Street and number');
  await expect(street).toBeFocused();
  await expect(street).toHaveAttribute('aria-invalid', 'true');
  await expect(street).toHaveAccessibleDescription('is required');
  await expect(page.getByLabel('City')).toHaveAccessibleDescription('is required');

  await street.fill('1 Main Street');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Postal code').fill('12345');
  // A double click (or an impatient Enter) must not order twice: the order id was made before the first request.
  await page.getByRole('button', { name: 'Place order and pay' }).dblclick();
  const orderId = await orderIdOnPage(page);
  await expect(page.getByTestId('order-state')).toHaveAttribute('data-state', 'paid');
  await expectNoSidewaysScroll(page);
  await keepScreenshot(page, 'order-phone');

  await page.goto('/orders');
  await expect(page.getByTestId('order-history').locator('li')).toHaveCount(1);
  await expect(page.locator(`li[data-order-id="${orderId}"]`)).toBeVisible();

  await context.close();
});

test('the driver portal fits a phone, sign-in and board alike', async ({ browser }) => {
  const { context, page } = await newPerson(browser, urls().driver);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/signin');
  await expectNoSidewaysScroll(page);
  await signInDriver(page, 'pat');
  await expect(page.getByRole('heading', { name: 'Waiting for pickup' })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await keepScreenshot(page, 'driver-phone');
  await context.close();
});
