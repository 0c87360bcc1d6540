import { expect, test } from '@playwright/test';
import { deliveryCard, newPerson, orderIdOnPage, placeOrder, signInDriver, urls } from '../harness/app';

test('two drivers race for one order: one wins, the other is told who took it', async ({ browser }) => {
  const customer = await newPerson(browser, urls().menu);
  await placeOrder(customer.page, { dishes: { Poke: 1 } });
  const orderId = await orderIdOnPage(customer.page);

  const first = await newPerson(browser, urls().driver);
  const second = await newPerson(browser, urls().driver);
  await signInDriver(first.page, 'ana');
  await signInDriver(second.page, 'ben');
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
  const winnerName = winner === first ? 'ana' : 'ben';
  await expect(loser.page.getByTestId('feedback').getByRole('alert')).toContainText(
    `was already picked up by driver ${winnerName}`,
  );

  // Everyone agrees on who has it.
  await expect(deliveryCard(winner.page, 'mine', orderId)).toBeVisible();
  await expect(deliveryCard(loser.page, 'mine', orderId)).toHaveCount(0);
  await expect(deliveryCard(loser.page, 'waiting', orderId)).toHaveCount(0);

  for (const person of [customer, first, second]) await person.context.close();
});
