import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { createDriver, type DriverLogin } from '@durable-delivery/stack';
import { ARTIFACTS } from './stack';

export type { DriverLogin };

export function urls() {
  const read = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the specs through \`playwright test\` (global set-up)`);
    return value;
  };
  return {
    menu: read('E2E_MENU_URL'),
    menuShortPickup: read('E2E_MENU_SHORT_PICKUP_URL'),
    menuShortDelivery: read('E2E_MENU_SHORT_DELIVERY_URL'),
    driver: read('E2E_DRIVER_URL'),
    menuFuzz: read('E2E_MENU_FUZZ_URL'),
    driverFuzz: read('E2E_DRIVER_FUZZ_URL'),
    /** The dev server's Web UI, and the codec server it decodes through (with the token operators sign in with). */
    temporalUi: read('E2E_TEMPORAL_UI_URL'),
    codecServer: read('E2E_CODEC_SERVER_URL'),
    codecServerToken: read('E2E_CODEC_SERVER_TOKEN'),
    accountsDatabaseUrl: read('E2E_ACCOUNTS_DATABASE_URL'),
  };
}

/** Each person gets a browser context of their own: separate cookies, so separate identities. */
export async function newPerson(
  browser: Browser,
  baseURL: string,
  options: Omit<BrowserContextOptions, 'baseURL'> = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...options, baseURL });
  return { context, page: await context.newPage() };
}

/** Keeps a screenshot of a main screen with the test artifacts (and for README.md and docs/). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export type Card = 'Visa ending 4242' | 'Card with insufficient funds' | 'Expired card' | 'Flaky card';

/** Adds dishes from the menu to the cart, fills the checkout form and places the order. */
export async function placeOrder(
  page: Page,
  order: {
    dishes: Record<string, number>;
    card?: Card;
    name?: string;
    address?: { street: string; city: string; instructions?: string };
  },
): Promise<void> {
  await page.goto('/');
  for (const [dish, quantity] of Object.entries(order.dishes)) {
    for (let i = 0; i < quantity; i += 1) {
      await page.getByRole('button', { name: new RegExp(`^Add ${dish} to cart`) }).click();
    }
  }
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
  await page.getByLabel('Your name').fill(order.name ?? 'Ada');
  await page.getByLabel('Street and number').fill(order.address?.street ?? '1 Main Street');
  await page.getByLabel('City').fill(order.address?.city ?? 'Springfield');
  if (order.address?.instructions) {
    await page.getByLabel('Instructions for the driver (optional)').fill(order.address.instructions);
  }
  await page.getByLabel('Postal code').fill('12345');
  await page.getByLabel(order.card ?? 'Visa ending 4242').check();
  await page.getByRole('button', { name: 'Place order and pay' }).click();
}

/** After a successful checkout the customer is on the order page; its id is in the URL. */
export async function orderIdOnPage(page: Page): Promise<string> {
  await page.waitForURL(/\/orders\/[^/]+$/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
}

export function orderState(page: Page) {
  return page.getByTestId('order-state');
}

/**
 * A driver account of its own, made as an operator would (`npm run drivers -- add`): username `<name>-<random>`
 * (specs running side by side never share one), display name `name` with a capital, a random password.
 */
export async function newDriver(name: string): Promise<DriverLogin> {
  const username = `${name.toLowerCase()}-${randomBytes(3).toString('hex')}`;
  return createDriver(urls().accountsDatabaseUrl, username, name.charAt(0).toUpperCase() + name.slice(1));
}

/** Fills the sign-in form (the account: `newDriver(name)` unless given) and waits for the board to greet them. */
export async function signInDriver(page: Page, name: string, account?: DriverLogin): Promise<DriverLogin> {
  const driver = account ?? (await newDriver(name));
  await page.goto('/signin');
  await page.getByLabel('Username').fill(driver.username);
  await page.getByLabel('Password').fill(driver.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('driver-name')).toHaveText(driver.name);
  return driver;
}

/** The widths every order-page finding is checked at: a laptop and a phone (390 px wide). */
export const WIDTHS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 } },
} as const satisfies Record<string, Omit<BrowserContextOptions, 'baseURL'>>;

/** An order's card in one of the driver's lists. */
export function deliveryCard(page: Page, list: 'waiting' | 'mine', orderId: string) {
  return page.getByTestId(`list-${list}`).locator(`li[data-order-id="${orderId}"]`);
}

/** An error message in the page's content (Next's route announcer is an alert too, outside <main>). */
export function alertIn(page: Page) {
  return page.getByRole('main').getByRole('alert');
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}
