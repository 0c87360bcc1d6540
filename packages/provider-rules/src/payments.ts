/**
 * The payment rules besides the cards, for the payment service (on its SQLite ledger) and the in-process simulator
 * (in memory) alike: amounts, what makes two requests the same, answering each idempotency key once, refunds.
 */

/** The largest charge or refund, in cents: $100,000. */
export const MAX_AMOUNT_CENTS = 10_000_000;

/** A charge or refund moves a whole, positive number of cents, at most MAX_AMOUNT_CENTS. */
export function isValidAmount(amountCents: number): boolean {
  return Number.isInteger(amountCents) && amountCents > 0 && amountCents <= MAX_AMOUNT_CENTS;
}

export type Operation = 'charge' | 'refund';

/** What makes a retried charge the same charge: every parameter that changes what is taken, from whom. */
export function chargeFingerprint(charge: {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentMethod: string;
}): string {
  return JSON.stringify([
    'charge',
    charge.orderId,
    charge.customerId,
    charge.amountCents,
    charge.currency,
    charge.paymentMethod,
  ]);
}

/** What makes a retried refund the same refund. */
export function refundFingerprint(refund: {
  readonly chargeIdempotencyKey: string;
  readonly amountCents: number;
}): string {
  return JSON.stringify(['refund', refund.chargeIdempotencyKey, refund.amountCents]);
}

/** A stored first answer under an idempotency key, with what it answered. */
export interface StoredAnswer<A> {
  readonly operation: Operation;
  readonly fingerprint: string;
  readonly answer: A;
}

export type FirstAnswer<A> = { readonly answer: A } | { readonly transient: string };

export type KeyedAnswer<A> =
  { readonly answer: A; readonly replayed: boolean } | { readonly mismatch: string } | { readonly transient: string };

/**
 * Idempotency like the best payment providers': the first answer to a key — success or business error — is stored
 * with the request's fingerprint, and every later request with that key gets exactly that answer (`replayed`). A
 * different request under a used key is refused (`mismatch`, not stored: the first answer stays the key's). A
 * transient failure stores nothing, so a retry can still succeed. Returned, not thrown, so a caller deciding inside
 * a database transaction keeps what it counted (the flaky card's attempts) while storing no answer.
 */
export function answerOnce<A>(
  store: {
    get(key: string): StoredAnswer<A> | undefined;
    set(key: string, stored: StoredAnswer<A>): void;
  },
  key: string,
  operation: Operation,
  fingerprint: string,
  decide: () => FirstAnswer<A>,
): KeyedAnswer<A> {
  const stored = store.get(key);
  if (stored) {
    if (stored.operation !== operation || stored.fingerprint !== fingerprint) {
      return {
        mismatch: `Idempotency key "${key}" was already used for a different ${operation} request; use a new key for a new request.`,
      };
    }
    return { answer: stored.answer, replayed: true };
  }
  const first = decide();
  if ('transient' in first) return first;
  store.set(key, { operation, fingerprint, answer: first.answer });
  return { answer: first.answer, replayed: false };
}

export type RefundDecision =
  | { readonly outcome: 'nothing' }
  | { readonly outcome: 'refund'; readonly amountCents: number }
  | { readonly outcome: 'refused'; readonly declineCode: 'refund_exceeds_charge'; readonly message: string };

/**
 * A refund of `amountCents` against a charge of `chargedCents` (undefined: the charge never went through, or was
 * declined) of which `refundedCents` went back already. Nothing was taken, so a compensation that finds no charge
 * succeeds with nothing to give back; refunds together never exceed the charge.
 */
export function decideRefund(request: {
  readonly chargedCents: number | undefined;
  readonly refundedCents: number;
  readonly amountCents: number;
}): RefundDecision {
  if (request.chargedCents === undefined) return { outcome: 'nothing' };
  const refundable = request.chargedCents - request.refundedCents;
  if (request.amountCents > refundable) {
    return {
      outcome: 'refused',
      declineCode: 'refund_exceeds_charge',
      message: `Cannot refund ${request.amountCents} cents: only ${refundable} cents of the charge remain.`,
    };
  }
  return { outcome: 'refund', amountCents: request.amountCents };
}
