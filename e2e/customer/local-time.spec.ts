import { expect, test } from '../harness/console-guard';
import { orderIdOnPage, orderState, placeOrder, urls } from '../harness/app';

/**
 * Times are the reader's own from the first paint. The server cannot know the reader's zone and writes UTC; the
 * page's LocalTimeScript writes the reader's as the HTML is parsed, so hydration swaps nothing and the sentence
 * around a time never reflows (it used to: Lighthouse measured a layout shift of 0.031 on the order page's deadline
 * notice). A zone 5 h 45 min from UTC and a 24-hour locale make the two texts as different as they get.
 */
test('an order page shows its times in the reader’s zone and locale from the first paint, without a layout shift', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: urls().menu, timezoneId: 'Asia/Kathmandu', locale: 'de-DE' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));

  await placeOrder(page, { dishes: { Poke: 1 }, name: 'Ada' });
  const orderId = await orderIdOnPage(page);
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');

  // A fresh load of the order page, as from a link: the server's HTML, then hydration. Every layout shift is kept
  // with the text of the nodes that moved.
  await page.addInitScript(() => {
    const shifts: { value: number; sources: string[] }[] = [];
    (window as unknown as { shifts: typeof shifts }).shifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as {
        value: number;
        sources?: { node?: Node | null }[];
      }[]) {
        shifts.push({
          value: entry.value,
          sources: (entry.sources ?? []).map((source) => source.node?.textContent?.slice(0, 80) ?? ''),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`/orders/${encodeURIComponent(orderId)}`);
  const notice = page.getByText('A driver will pick it up by');
  await expect(notice).toBeVisible();
  await expect(orderState(page)).toHaveAttribute('data-state', 'paid');

  const deadline = notice.locator('time');
  const shown = await deadline.textContent();
  const expected = await deadline.evaluate((time: HTMLTimeElement) =>
    new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(
      new Date(time.dateTime),
    ),
  );
  expect(shown).toBe(expected);
  expect(shown).toMatch(/^\d\d:\d\d:\d\d$/); // 24-hour German, no "UTC", no AM/PM
  // The timeline's times are the reader's too.
  for (const time of await page.locator('time.timeline-time').all())
    expect(await time.textContent()).not.toContain('UTC');

  // Nothing on the page moved because a time changed: no shift whose moved nodes hold the notice or a time.
  const shifts = await page.evaluate(
    () => (window as unknown as { shifts: { value: number; sources: string[] }[] }).shifts,
  );
  const timeShifts = shifts.filter((shift) =>
    shift.sources.some(
      (text) => text.includes('pick it up') || text.includes('full refund') || text.includes(shown ?? ''),
    ),
  );
  expect(timeShifts).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
