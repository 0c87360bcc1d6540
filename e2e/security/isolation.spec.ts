import { expect, httpStatusError, test } from '../harness/console-guard';
import { alertIn, keepScreenshot, newPerson, orderIdOnPage, placeOrder, urls } from '../harness/app';

test("a second customer cannot open, cancel or even detect the first customer's order", async ({
  browser,
  consoleErrors,
}) => {
  // The stranger's view of the order is its not-found page, answered 404.
  consoleErrors.allow(httpStatusError(404));
  const first = await newPerson(browser, urls().menu);
  await placeOrder(first.page, { dishes: { Margherita: 1 } });
  const orderId = await orderIdOnPage(first.page);

  const second = await newPerson(browser, urls().menu);
  await second.page.goto(`/orders/${orderId}`);
  await expect(second.page.getByRole('heading', { name: 'Order not found' })).toBeVisible();
  await expect(second.page.getByText('Margherita')).toHaveCount(0);

  // The same answer as for an id that does not exist at all.
  const api = second.context.request;
  const theirs = await api.post('/api/trpc/orders.cancel', { data: { orderId } });
  const nobodys = await api.post('/api/trpc/orders.cancel', { data: { orderId: 'no-such-order' } });
  expect(theirs.status()).toBe(404);
  expect(nobodys.status()).toBe(404);
  expect((await theirs.json()) as unknown).toMatchObject({ error: { message: 'Order not found.' } });

  // The first customer's order is untouched, and their history is theirs alone.
  await first.page.reload();
  await expect(first.page.getByTestId('order-state')).toHaveAttribute('data-state', 'paid');
  await second.page.goto('/orders');
  await expect(second.page.getByText('You have not ordered anything yet.')).toBeVisible();

  // A forged cookie is a new visitor, not a way in.
  const forged = await browser.newContext({ baseURL: urls().menu });
  await forged.addCookies([{ name: 'dd_customer', value: 'c-forged', url: urls().menu }]);
  const forgedAnswer = await forged.request.get(
    `/api/trpc/orders.order?input=${encodeURIComponent(JSON.stringify({ orderId }))}`,
  );
  expect(forgedAnswer.status()).toBe(404);

  for (const context of [first.context, second.context, forged]) await context.close();
});

test('a signed-out visitor cannot act as a driver, and the menu app has no driver API at all', async ({
  browser,
  consoleErrors,
}) => {
  // A failed sign-in is refused (401) and the page words it.
  consoleErrors.allow(httpStatusError(401));
  const visitor = await newPerson(browser, urls().driver);
  await visitor.page.goto('/');
  await expect(visitor.page).toHaveURL(/\/signin$/);
  await keepScreenshot(visitor.page, 'driver-signin');

  const pickUp = await visitor.context.request.post('/api/trpc/deliveries.pickUp', { data: { orderId: 'any' } });
  expect(pickUp.status()).toBe(401);
  const body = await pickUp.text();
  expect(body).toContain('Sign in as a driver.');
  expect(body).not.toMatch(/\bat .+\.(js|ts):\d+/);

  // A wrong password is refused with a reason, and sets no cookie.
  await visitor.page.getByLabel('Username').fill('mallory');
  await visitor.page.getByLabel('Password').fill('not-the-password');
  await visitor.page.getByRole('button', { name: 'Sign in' }).click();
  await expect(alertIn(visitor.page)).toContainText('That username and password do not match an account.');
  expect((await visitor.context.cookies()).filter((cookie) => cookie.name.includes('dd_driver'))).toEqual([]);

  const customer = await newPerson(browser, urls().menu);
  await customer.page.goto('/');
  const driverCall = await customer.context.request.get('/api/trpc/deliveries.waiting?input=%7B%7D');
  expect(driverCall.status()).toBe(404);

  // A customer who copies their own cookie into the driver session cookie's place is still no driver: no session
  // in the accounts database has that token.
  const customerCookie = (await customer.context.cookies()).find((cookie) => cookie.name === 'dd_customer');
  expect(customerCookie).toBeDefined();
  const driverUrl = new URL(urls().driver);
  await visitor.context.addCookies([
    {
      name: '__Secure-dd_driver.session_token',
      value: customerCookie!.value,
      domain: driverUrl.hostname,
      path: '/',
      httpOnly: true,
      secure: true,
    },
  ]);
  await visitor.page.goto('/');
  await expect(visitor.page).toHaveURL(/\/signin$/);
  const swapped = await visitor.context.request.post('/api/trpc/deliveries.pickUp', { data: { orderId: 'any' } });
  expect(swapped.status()).toBe(401);

  await visitor.context.close();
  await customer.context.close();
});
