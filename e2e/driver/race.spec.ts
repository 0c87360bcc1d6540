import { expect, httpStatusError, test } from '../harness/console-guard';
import { deliveryCard, newPerson, orderIdOnPage, placeOrder, signInDriver, urls } from '../harness/app';

test('two drivers race for one order: one wins, the other is told another driver took it, never who', async ({
  browser,
  consoleErrors,
}) => {
  // The loser's pick-up is refused (409), which the browser reports; the page words it.
  consoleErrors.allow(httpStatusError(409));
  const customer = await newPerson(browser, urls().menu);
  await placeOrder(customer.page, { dishes: { Poke: 1 } });
  const orderId = await orderIdOnPage(customer.page);

  const first = await newPerson(browser, urls().driver);
  const second = await newPerson(browser, urls().driver);
  const ana = await signInDriver(first.page, 'ana');
  const ben = await signInDriver(second.page, 'ben');
  const firstCard = deliveryCard(first.page, 'waiting', orderId);
  const secondCard = deliveryCard(second.page, 'waiting', orderId);
  await expect(firstCard).toBeVisible();
  await expect(secondCard).toBeVisible();

  // Both press "Pick up" at once; the workflow's update validator decides, one request at a time.
  await Promise.all([
    firstCard.getByRole('button', { name: /^Pick up/ }).click(),
    secondCard.getByRole('button', { name: /^Pick up/ }).click(),
  ]);

  const outcomes = await Promise.all(
    [first.page, second.page].map(async (page) => {
      const feedback = page.getByTestId('feedback');
      await expect(feedback).toContainText(/Picked up|That did not work/);
      return (await feedback.textContent()) ?? '';
    }),
  );
  const winners = outcomes.filter((text) => text.includes('Picked up'));
  expect(winners).toHaveLength(1);
  const [winner, loser] = outcomes[0] === winners[0] ? [first, second] : [second, first];
  const winnerAccount = winner === first ? ana : ben;
  const refusal = loser.page.getByTestId('feedback').getByRole('alert');
  await expect(refusal).toContainText('was already picked up by another driver');
  // Naming the winner would tell the loser whom to impersonate.
  for (const name of [winnerAccount.id, winnerAccount.username, winnerAccount.name]) {
    await expect(refusal).not.toContainText(name);
  }

  // Everyone agrees on who has it.
  await expect(deliveryCard(winner.page, 'mine', orderId)).toBeVisible();
  await expect(deliveryCard(loser.page, 'mine', orderId)).toHaveCount(0);
  await expect(deliveryCard(loser.page, 'waiting', orderId)).toHaveCount(0);

  for (const person of [customer, first, second]) await person.context.close();
});
