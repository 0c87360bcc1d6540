/**
 * The cards a customer can pay with. This is a demo shop on a simulated payment provider, so these are its test
 * cards (see packages/activities/src/simulators/payments.ts); a real shop would put its provider's card form here.
 */
export const PAYMENT_METHODS = [
  { token: 'tok_visa', label: 'Visa ending 4242', hint: 'Test card: always succeeds' },
  { token: 'tok_flaky', label: 'Flaky card', hint: 'Test card: the provider fails twice, then it succeeds' },
  {
    token: 'tok_chargeDeclinedInsufficientFunds',
    label: 'Card with insufficient funds',
    hint: 'Test card: declined',
  },
  { token: 'tok_chargeDeclinedExpiredCard', label: 'Expired card', hint: 'Test card: declined' },
] as const;
