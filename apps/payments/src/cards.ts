/**
 * Card tokens with known behaviour, like a payment provider's test mode. The same tokens as the in-process
 * simulator (packages/activities/src/simulators/payments.ts); the contract test runs one suite against both.
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

export const FLAKY_FAILURES_PER_CHARGE = 2;

export type Decision =
  | { readonly outcome: 'charge' }
  | { readonly outcome: 'decline'; readonly declineCode: string; readonly message: string };

/** What the card network says about a card (after the flaky card's transient failures). */
export function decide(paymentMethod: string): Decision {
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
