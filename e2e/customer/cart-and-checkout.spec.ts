import { TEXT_LIMITS } from '@durable-delivery/api/schemas';
import { type Page } from '@playwright/test';
import {
  deliveryCard,
  expectNoSidewaysScroll,
  keepScreenshot,
  newPerson,
  orderIdOnPage,
  orderState,
  signInDriver,
  urls,
} from '../harness/app';
import { expect, test } from '../harness/console-guard';

/** zod's own wording, written for developers ("Too big: expected string to have <=20 characters"). */
const LIBRARY_WORDING = /Too (big|small)|expected (string|number|array|object)|received |Invalid input|<=|>=/;

/** A word no screen is wide enough for: it must wrap, never widen the page. */
const LONG_WORD = 'Supercalifragilistic'.repeat(10).slice(0, 196);

const WIDTHS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

async function addDish(page: Page, dish: string, times = 1) {
  for (let i = 0; i < times; i += 1)
    await page.getByRole('button', { name: new RegExp(`^Add ${dish} to cart`) }).click();
}

async function fillAddress(page: Page, address: { street: string; city: string; postalCode: string }) {
  await page.getByLabel('Street and number').fill(address.street);
  await page.getByLabel('City').fill(address.city);
  await page.getByLabel('Postal code').fill(address.postalCode);
}

for (const { name, viewport } of WIDTHS) {
  test.describe(`at ${name} width`, () => {
    // The stack's URL is known once the global set-up has run, so it is read as the fixture is made.
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern.
    test.use({ baseURL: async ({}, use) => use(urls().menu), viewport });

    test('the cart keeps a dish while its quantity is edited, and says its limits instead of cutting', async ({
      page,
    }) => {
      await page.goto('/');
      await addDish(page, 'Poke', 2);
      const cartLink = page.getByRole('link', { name: /^Cart \(2\)/ });
      await expect(cartLink).toBeVisible();

      // A full page load with a non-empty cart: the header hydrates against the server's HTML without a mismatch
      // (the console guard fails the test on one), then shows the real count.
      await page.goto('/checkout');
      await expect(page.getByRole('link', { name: /^Cart \(2\)/ })).toBeVisible();
      await page.reload();
      await expect(page.getByRole('link', { name: /^Cart \(2\)/ })).toBeVisible();

      const quantity = page.getByLabel('Poke', { exact: true });
      await expect(page.getByTestId('cart-limits')).toContainText('Up to 20 of each dish');
      await expect(quantity).toHaveAttribute('max', '20');

      // Clearing the box to type a new number keeps the dish.
      await quantity.fill('');
      await expect(page.locator('li.cart-line[data-product="poke"]')).toBeVisible();
      await quantity.fill('5');
      await expect(page.getByRole('link', { name: /^Cart \(5\)/ })).toBeVisible();

      // 0 does not remove it: Remove does.
      await quantity.fill('0');
      await expect(page.locator('li.cart-line[data-product="poke"]')).toContainText('press Remove');
      await expect(page.getByRole('link', { name: /^Cart \(5\)/ })).toBeVisible();

      // Above the limit is refused in words, not cut to 20.
      await quantity.fill('25');
      await expect(quantity).toHaveAttribute('aria-invalid', 'true');
      await expect(quantity).toHaveAccessibleDescription(/At most 20 of one dish per order/);
      await expect(page.getByRole('link', { name: /^Cart \(5\)/ })).toBeVisible();
      await quantity.blur();
      await expect(quantity).toHaveValue('5');
      await expect(page.locator('li.cart-line[data-product="poke"]')).toContainText('Kept 5');

      // At the limit, the menu's button says so before it is pressed.
      await quantity.fill('20');
      await expect(page.getByRole('link', { name: /^Cart \(20\)/ })).toBeVisible();
      await page.goto('/');
      await expect(page.getByRole('button', { name: /^Add Poke to cart/ })).toBeDisabled();
      await expect(page.locator('li[data-product="poke"]').getByTestId('add-limit')).toHaveText(
        '20 is the most of one dish per order',
      );

      await page.goto('/checkout');
      await page.getByRole('button', { name: 'Remove Poke' }).click();
      await expect(page.getByText('Your cart is empty.').first()).toBeVisible();
      await expect(page.getByRole('link', { name: /^Cart \(0\)/ })).toBeVisible();
    });

    test('checkout refuses a junk address in words for people, then a decline is told beside the button', async ({
      page,
      browser,
    }) => {
      await page.goto('/');
      await addDish(page, 'Margherita');
      await page.goto('/checkout');
      await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();

      // Every text input stops at the schema's limit.
      await expect(page.getByLabel('Your name')).toHaveAttribute('maxlength', String(TEXT_LIMITS.customerName));
      await expect(page.getByLabel('Street and number')).toHaveAttribute('maxlength', String(TEXT_LIMITS.street));
      await expect(page.getByLabel('City')).toHaveAttribute('maxlength', String(TEXT_LIMITS.city));
      await expect(page.getByLabel('Postal code')).toHaveAttribute('maxlength', String(TEXT_LIMITS.postalCode));
      await expect(page.getByLabel('Instructions for the driver (optional)')).toHaveAttribute(
        'maxlength',
        String(TEXT_LIMITS.instructions),
      );
      await expect(page.getByLabel('Postal code')).toHaveAccessibleDescription(/ZIP code: 5 digits/);

      const pay = page.getByRole('button', { name: 'Place order and pay' });
      await fillAddress(page, { street: '!!!', city: '???', postalCode: '00000' });
      await pay.click();
      const street = page.getByLabel('Street and number');
      await expect(street).toBeFocused();
      await expect(street).toHaveAccessibleDescription('must name the street, like "1 Main Street"');
      await expect(page.getByLabel('City')).toHaveAccessibleDescription('must be the name of a city or town');
      await expect(page.getByLabel('Postal code')).toHaveAccessibleDescription(/must be a ZIP code/);

      // Past the maxlength (a script, a pasted value in an old browser): still a sentence for a person.
      await page.getByLabel('Postal code').evaluate((input) => input.removeAttribute('maxlength'));
      await fillAddress(page, { street: '1 Main Street', city: 'Springfield', postalCode: '1'.repeat(21) });
      await pay.click();
      await expect(page.getByLabel('Postal code')).toHaveAccessibleDescription(/must be at most 20 characters/);
      await expect(page.getByRole('main')).not.toContainText(LIBRARY_WORDING);

      // A long word wraps: the form and the cart stay within the screen.
      await fillAddress(page, { street: `1 ${LONG_WORD} Street`, city: 'Springfield', postalCode: '12345' });
      await page.getByLabel('Instructions for the driver (optional)').fill(LONG_WORD);
      await page.getByLabel('Your name').fill(LONG_WORD.slice(0, 90));
      await expectNoSidewaysScroll(page);

      // The total is in view as the customer pays; on a phone a bar keeps it at the top, leading to the cart.
      await pay.scrollIntoViewIfNeeded();
      await expect(page.getByTestId('pay-total')).toBeInViewport();
      await expect(page.getByTestId('pay-total')).toContainText(/\$\d+\.\d\d/);
      if (name === 'phone') {
        const bar = page.getByTestId('checkout-bar');
        await expect(bar).toBeInViewport();
        await expect(bar).toContainText(await page.getByTestId('cart-total').innerText());
        expect((await bar.boundingBox())?.y).toBeLessThanOrEqual(1);
        await bar.getByRole('link', { name: 'Review cart' }).click();
        await expect(page.getByRole('heading', { name: 'Your cart' })).toBeInViewport();
      } else {
        await expect(page.getByTestId('checkout-bar')).toBeHidden();
      }

      // A decline: the reason is beside the button just pressed, and focus moves to it.
      await page.getByLabel('Card with insufficient funds').check();
      await pay.click();
      const status = page.locator('#checkout-status');
      await expect(status).toBeFocused();
      await expect(status.getByRole('alert')).toContainText('Your card was declined');
      await expect(status.getByRole('alert')).toContainText('Nothing was charged');
      await expect(status).toBeInViewport();
      await expect(pay).toBeInViewport();
      await keepScreenshot(page, `checkout-declined-${name}`);

      // Paid with another card: the order page and My orders wrap the long words, and list no declined attempt.
      await page.getByLabel('Visa ending 4242').check();
      await pay.click();
      const orderId = await orderIdOnPage(page);
      await expect(orderState(page)).toHaveAttribute('data-state', 'paid');
      await expect(page.getByRole('main')).toContainText(LONG_WORD);
      await expectNoSidewaysScroll(page);
      await keepScreenshot(page, `order-long-words-${name}`);
      await page.goto('/orders');
      await expect(page.getByTestId('order-history').locator('li')).toHaveCount(1);
      await expect(page.locator(`li[data-order-id="${orderId}"]`)).toBeVisible();
      await expectNoSidewaysScroll(page);

      // The driver who takes it reads the long street on their card, which wraps too.
      const driver = await newPerson(browser, urls().driver);
      await driver.page.setViewportSize(viewport);
      await signInDriver(driver.page, 'wren');
      await deliveryCard(driver.page, 'waiting', orderId)
        .getByRole('button', { name: /^Pick up/ })
        .click();
      await expect(deliveryCard(driver.page, 'mine', orderId)).toContainText(LONG_WORD);
      await expectNoSidewaysScroll(driver.page);
      await keepScreenshot(driver.page, `driver-long-words-${name}`);
      await driver.context.close();
    });
  });
}
