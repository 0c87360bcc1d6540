import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '../harness/console-guard';
import { newPerson, signInDriver, urls } from '../harness/app';

const APPS = resolve(__dirname, '../../apps');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test('no Temporal or gRPC code reaches a browser bundle', () => {
  for (const app of ['menu', 'driver']) {
    const scripts = filesUnder(join(APPS, app, '.next/static')).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const file of scripts) {
      const code = readFileSync(file, 'utf8');
      // Package names survive minification as strings, and so do the protobuf service names the client carries.
      expect(code, file).not.toMatch(/@temporalio[/+]|temporal\.api\.|@grpc\/grpc-js|iron-session|Fe26\.2/);
    }
  }
});

test('pages load nothing from the network but their own app, and send protective headers', async ({ browser }) => {
  const customer = await newPerson(browser, urls().menu);
  const driver = await newPerson(browser, urls().driver);
  const requested: string[] = [];
  for (const context of [customer.context, driver.context])
    context.on('request', (request) => requested.push(request.url()));

  const menu = await customer.page.goto('/');
  expect(menu?.headers()).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
  await expect(customer.page.locator('img').first()).toBeVisible();
  for (const path of ['/checkout', '/orders', '/rewards']) await customer.page.goto(path);
  await signInDriver(driver.page, 'offline');
  await expect(driver.page.getByRole('heading', { name: 'Waiting for pickup' })).toBeVisible();

  const foreign = requested.filter((url) => !/^(http:\/\/(localhost|127\.0\.0\.1):\d+\/|data:|blob:)/.test(url));
  expect(requested.length).toBeGreaterThan(5);
  expect(foreign).toEqual([]);

  await customer.context.close();
  await driver.context.close();
});
