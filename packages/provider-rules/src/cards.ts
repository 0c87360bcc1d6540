/**
 * The test cards, like a payment provider's test mode: the one list the payment service, the in-process simulator
 * and the menu's checkout all read.
 */
export const TEST_CARDS = {
  /** Always succeeds. */
  visa: 'tok_visa',
  /** Declined: insufficient funds. */
  insufficientFunds: 'tok_chargeDeclinedInsufficientFunds',
  /** Declined: the card has expired. */
  expiredCard: 'tok_chargeDeclinedExpiredCard',
  /** Fails as unavailable on the first two attempts of each charge, then succeeds: shows automatic retries. */
  flaky: 'tok_flaky',
} as const;

export type TestCardToken = (typeof TEST_CARDS)[keyof typeof TEST_CARDS];

/** The cards a checkout offers, in that order, with what a person is told about each. */
export const TEST_CARD_CHOICES: readonly {
  readonly token: TestCardToken;
  readonly label: string;
  readonly hint: string;
}[] = [
  { token: TEST_CARDS.visa, label: 'Visa ending 4242', hint: 'Test card: always succeeds' },
  { token: TEST_CARDS.flaky, label: 'Flaky card', hint: 'Test card: the provider fails twice, then it succeeds' },
  { token: TEST_CARDS.insufficientFunds, label: 'Card with insufficient funds', hint: 'Test card: declined' },
  { token: TEST_CARDS.expiredCard, label: 'Expired card', hint: 'Test card: declined' },
];

/** How many attempts of each charge (per idempotency key) the flaky card fails before it goes through. */
export const FLAKY_FAILURES_PER_CHARGE = 2;

/**
 * Why this attempt of a charge fails as unavailable (a card network timeout), or undefined when it goes on to be
 * decided. Only the flaky card's attempts are counted: `countAttempt` records one more attempt under the charge's
 * key and says which it is, from 1. Nothing is stored as the key's answer for such a failure.
 */
export function transientFailure(paymentMethod: string, countAttempt: () => number): string | undefined {
  if (paymentMethod !== TEST_CARDS.flaky) return undefined;
  const attempt = countAttempt();
  return attempt <= FLAKY_FAILURES_PER_CHARGE ? `Card network timeout (attempt ${attempt})` : undefined;
}

export type CardDecision =
  | { readonly outcome: 'charge' }
  | { readonly outcome: 'decline'; readonly declineCode: string; readonly message: string };

/** What the card network says about a card (after the flaky card's transient failures). */
export function decideCharge(paymentMethod: string): CardDecision {
  switch (paymentMethod) {
    case TEST_CARDS.visa:
    case TEST_CARDS.flaky:
      return { outcome: 'charge' };
    case TEST_CARDS.insufficientFunds:
      return { outcome: 'decline', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' };
    case TEST_CARDS.expiredCard:
      return { outcome: 'decline', declineCode: 'expired_card', message: 'Your card has expired.' };
    default:
      return {
        outcome: 'decline',
        declineCode: 'invalid_payment_method',
        message: `Unknown payment method "${paymentMethod}".`,
      };
  }
}
