import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Page } from '@playwright/test';
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
import { ARTIFACTS } from '../harness/stack';

/**
 * The Temporal Web UI as the ops console, in a real browser: the dev server's UI lists the orders with their search
 * attributes as columns, and an order's page shows its summary and current details — decoded by the codec server for
 * an operator who signed in to it, with nothing set in the UI, exactly as docs/operations.md says; and for nobody
 * else, who is told where to sign in instead. The screenshots are the ones docs/operations.md shows.
 */

/** The order columns an operator adds once with the UI's column picker (the UI keeps them in the browser). */
const COLUMNS = ['OrderState', 'OrderStateSince', 'DriverId', 'OrderTotalCents', 'CustomerId'];
/**
 * The default columns removed the same way, to make room: every order's run id and type say the same, OrderStateSince
 * says more than its start, and an open order has no end.
 */
const DEFAULTS_REMOVED = ['Run ID', 'Type', 'Start', 'End'];

/** What the codec server sends an unsigned Web UI in place of each encrypted payload (apps/codec-server). */
const signInNotice = (codecServer: string) =>
  `Encrypted: sign in to the codec server at ${codecServer}/, then reload this page to read it.`;

/** Every codec call (…/decode, …/encode) the page makes from now on, and every failure or console error about one. */
function watchCodecCalls(page: Page, codecServer: string) {
  const statuses: number[] = [];
  const failures: string[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(codecServer) && /\/(de|en)code$/.test(new URL(response.url()).pathname)) {
      statuses.push(response.status());
    }
  });
  page.on('requestfailed', (request) => {
    // A call the page itself cancelled (it navigated away) is not a failure of the codec server.
    const error = request.failure()?.errorText ?? '';
    if (request.url().startsWith(codecServer) && error !== 'net::ERR_ABORTED')
      failures.push(`${request.url()}: ${error}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && (message.location().url.startsWith(codecServer) || /codec/i.test(message.text())))
      failures.push(message.text());
  });
  return { statuses, failures };
}

/** The text of every frame of the page: the UI shows workflow metadata in frames. */
async function framesText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText({ timeout: 1_000 })
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

/** Opens an order's page in the UI; answers the status of the UI's first decode call to the codec server. */
async function openOrderInUi(page: Page, ui: string, codecServer: string, workflowId: string): Promise<number> {
  const decoded = page.waitForResponse(
    (response) => response.url().startsWith(codecServer) && response.request().method() === 'POST',
  );
  await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  await expect(page.getByText(workflowId).first()).toBeVisible();
  return (await decoded).status();
}

test('operators see orders with their search attributes, summaries and current details, decoded only when signed in', async ({
  browser,
  consoleErrors,
}) => {
  // The Temporal UI's own pages: it renders markdown in a sandboxed frame that blocks scripts by design.
  consoleErrors.allow(/^Blocked script execution in '[^']*\/render\?content=/);
  const { temporalUi: ui, codecServer, codecServerToken } = urls();

  // Two real orders through the apps: one picked up by a driver, one still waiting for one.
  const customer = await newPerson(browser, urls().menu);
  await placeOrder(customer.page, { dishes: { Poke: 2, 'Shoyu ramen': 1 }, name: 'Grace' });
  const pickedUpId = await orderIdOnPage(customer.page);
  await expect(orderState(customer.page)).toHaveAttribute('data-state', 'paid');
  await placeOrder(customer.page, { dishes: { 'Shoyu ramen': 1 }, name: 'Grace' });
  const waitingId = await orderIdOnPage(customer.page);
  await expect(orderState(customer.page)).toHaveAttribute('data-state', 'paid');
  const driver = await newPerson(browser, urls().driver);
  const hedy = await signInDriver(driver.page, 'hedy');
  await deliveryCard(driver.page, 'waiting', pickedUpId)
    .getByRole('button', { name: /^Pick up/ })
    .click();
  await expect(deliveryCard(driver.page, 'mine', pickedUpId)).toBeVisible();

  // The operator signs in to the codec server with its token, then opens the Web UI: nothing is set in the UI.
  const operator = await browser.newContext({ viewport: { width: 1920, height: 1000 } });
  const page = await operator.newPage();
  const operatorCalls = watchCodecCalls(page, codecServer);
  await page.goto(codecServer);
  await page.getByLabel(/Codec server token/).fill(codecServerToken);
  await page.getByRole('button', { name: /sign in/i }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // The list: one row per order, the search attributes as columns, found by a list query on one of them (and on
  // this test's two orders: the earlier specs' would fill the page, and the page's scrollbar takes width the
  // columns are checked to fit in).
  const query = `CustomerId IS NOT NULL AND WorkflowType = 'order' AND WorkflowId IN ('order-${pickedUpId}', 'order-${waitingId}')`;
  await page.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  // The order columns, added once through the UI's column picker, as docs/operations.md says.
  // The gear below the table, "Configure Columns" (an icon button, named only by its tooltip).
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  for (const column of COLUMNS) await page.getByRole('button', { name: `Add ${column} column`, exact: true }).click();
  // And the defaults an order does not need, which would push the order's own columns off the screen.
  for (const column of DEFAULTS_REMOVED)
    await page.getByRole('button', { name: `Remove ${column} column`, exact: true }).click();
  await page.getByRole('button', { name: /^Close .* configuration$/ }).click();
  await page.getByRole('button', { name: 'Collapse saved views' }).click();
  const pickedUpRow = page.getByRole('row').filter({ hasText: `order-${pickedUpId}` });
  const waitingRow = page.getByRole('row').filter({ hasText: `order-${waitingId}` });
  // The list is what visibility had indexed when it loaded (a pick-up reaches it moments after the workflow's
  // update answers): reloaded until the row shows it, as an operator would.
  await expect(async () => {
    await page.reload();
    await expect(pickedUpRow).toContainText('pickedUp', { timeout: 3_000 });
  }).toPass();
  // The workflow records the driver's account id (DriverId), not a name anyone typed.
  await expect(pickedUpRow).toContainText(hedy.id);
  await expect(waitingRow).toContainText('paid');
  // On screen, not only in the table: whole, with no sideways scrolling.
  for (const column of COLUMNS)
    await expect(page.getByRole('columnheader', { name: column, exact: true })).toBeInViewport({ ratio: 1 });
  await keepScreenshot(page, 'temporal-ui-orders');

  // An order's page: its summary and its current details, decrypted in the browser through the codec server.
  const summary = /2× Poke, Shoyu ramen · \$\d+\.\d{2} · Grace/;
  expect(await openOrderInUi(page, ui, codecServer, `order-${pickedUpId}`)).toBe(200);
  // The input, decoded: the customer's name and address, which the stored history holds only encrypted.
  await expect(page.getByRole('textbox').first()).toContainText('"customerName": "Grace"');
  await expect(page.getByText(summary).first()).toBeVisible();
  await keepScreenshot(page, 'temporal-ui-order');
  // Its user metadata: the static summary, and the current details the workflow keeps up to date. The UI renders
  // each as Markdown in a frame of its own.
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  await expect.poll(() => framesText(page)).toContain('Out for delivery');
  expect(await framesText(page)).toMatch(summary);
  await keepScreenshot(page, 'temporal-ui-order-metadata');
  // Every decode call of the signed-in operator succeeded, and the UI never reported the codec server unreachable.
  expect(operatorCalls.statuses.length).toBeGreaterThan(0);
  expect(operatorCalls.statuses.filter((status) => status !== 200)).toEqual([]);
  expect(operatorCalls.failures).toEqual([]);
  await expect(page.getByTestId('data-encoder-status-error')).toHaveCount(0);

  // The same page for someone who has not signed in to the codec server: the UI gets no key, only a notice in place
  // of each encrypted payload saying where to sign in; no failed call per payload, no "could not connect".
  const stranger = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const strangerPage = await stranger.newPage();
  const strangerCalls = watchCodecCalls(strangerPage, codecServer);
  expect(await openOrderInUi(strangerPage, ui, codecServer, `order-${pickedUpId}`)).toBe(200);
  await expect(strangerPage.getByRole('textbox').first()).toContainText(signInNotice(codecServer));
  await expect(strangerPage.getByRole('textbox').first()).not.toContainText('Grace');
  await expect(strangerPage.getByText(summary)).toHaveCount(0);
  // Drawn: its tabs are there. (Not "network idle": the UI keeps polling a running workflow, so on a busy machine the
  // network may never be idle for half a second: the wait that timed out a cold run.)
  await expect(strangerPage.getByRole('tab', { name: 'User Metadata' })).toBeVisible();
  await keepScreenshot(strangerPage, 'temporal-ui-order-signed-out');
  expect(strangerCalls.statuses.length).toBeGreaterThan(0);
  expect(strangerCalls.statuses.filter((status) => status !== 200)).toEqual([]);
  expect(strangerCalls.failures).toEqual([]);
  await expect(strangerPage.getByTestId('data-encoder-status-error')).toHaveCount(0);

  // The worker's order counters, as Prometheus scrapes them, kept beside the screenshots (docs/operations.md's excerpt).
  const scrape = JSON.parse(process.env.E2E_SCRAPE_TARGETS ?? '{}') as { worker?: string; token?: string };
  const metrics = await (
    await fetch(`http://${scrape.worker}/metrics`, { headers: { authorization: `Bearer ${scrape.token}` } })
  ).text();
  const excerpt = metrics.split('\n').filter((line) => /^(# (HELP|TYPE) )?orders_/.test(line));
  expect(excerpt.some((line) => line.startsWith('orders_placed_total'))).toBe(true);
  writeFileSync(join(ARTIFACTS, 'screenshots', 'worker-order-metrics.txt'), `${excerpt.join('\n')}\n`);

  await Promise.all([customer.context.close(), driver.context.close(), operator.close(), stranger.close()]);
});
