import { randomUUID } from 'node:crypto';
import { FLAKY_FAILURES_PER_CHARGE, TEST_CARDS, decide } from './cards';
import type { Ledger, StoredResponse } from './ledger';

export interface ChargeInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly currency: 'USD';
  readonly paymentMethod: string;
  readonly description?: string;
}

export interface RefundInput {
  /** The charge to refund, by the idempotency key it was made with (known even if the charge's answer was lost). */
  readonly chargeIdempotencyKey: string;
  readonly amountCents: number;
  readonly reason?: string;
}

/** A stored answer; `replayed` when it was stored by an earlier request with the same key. */
export type Answer = StoredResponse & { readonly replayed?: boolean };

/** A failure that is not an answer: nothing was stored, and the same request may succeed later. */
export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
}

/** The same key with other parameters: refused, and not stored (the first answer stays the key's answer). */
export class IdempotencyMismatch extends Error {
  override readonly name = 'IdempotencyMismatch';
}

/**
 * Charges and refunds with idempotency semantics like the best payment providers': the first answer to a key —
 * success or business error — is stored with the request's fingerprint in the same transaction as the ledger entry,
 * and every later request with that key gets exactly that answer. A different request under a used key is refused.
 * Transient failures (the flaky card's first attempts) store nothing, so a retry can still succeed.
 */
export class Payments {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  charge(key: string, input: ChargeInput): Answer {
    const fingerprint = JSON.stringify([
      'charge',
      input.orderId,
      input.customerId,
      input.amountCents,
      input.currency,
      input.paymentMethod,
    ]);
    return this.idempotent(key, 'charge', fingerprint, () => {
      if (input.paymentMethod === TEST_CARDS.flaky) {
        const attempt = this.ledger.countAttempt(key);
        if (attempt <= FLAKY_FAILURES_PER_CHARGE) return { transient: `Card network timeout (attempt ${attempt})` };
      }
      const now = this.clock().toISOString();
      const decision = decide(input.paymentMethod);
      const base = {
        orderId: input.orderId,
        customerId: input.customerId,
        amountCents: input.amountCents,
        createdAt: now,
      };
      if (decision.outcome === 'decline') {
        this.ledger.append({ ...base, type: 'decline', id: `dc_${randomUUID()}`, idempotencyKey: key });
        return {
          response: {
            status: 402,
            body: { error: { type: 'card_error', code: decision.declineCode, message: decision.message } },
          },
        };
      }
      const id = `ch_${randomUUID()}`;
      this.ledger.append({ ...base, type: 'charge', id, idempotencyKey: key });
      return {
        response: {
          status: 201,
          body: {
            id,
            object: 'charge',
            status: 'succeeded',
            amountCents: input.amountCents,
            currency: input.currency,
            orderId: input.orderId,
            createdAt: now,
          },
        },
      };
    });
  }

  refund(key: string, input: RefundInput): Answer {
    const fingerprint = JSON.stringify(['refund', input.chargeIdempotencyKey, input.amountCents]);
    return this.idempotent(key, 'refund', fingerprint, () => {
      const now = this.clock().toISOString();
      const charge = this.ledger.chargeByKey(input.chargeIdempotencyKey);
      // Nothing was taken, so there is nothing to give back: a compensation that finds no charge is a success.
      if (!charge) {
        return { response: { status: 200, body: { id: null, object: 'refund', refundedCents: 0, chargeId: null } } };
      }
      const refundable = charge.amountCents - this.ledger.refundedCents(charge.id);
      if (input.amountCents > refundable) {
        return {
          response: {
            status: 409,
            body: {
              error: {
                type: 'invalid_request_error',
                code: 'refund_exceeds_charge',
                message: `Cannot refund ${input.amountCents} cents: only ${refundable} cents of the charge remain.`,
              },
            },
          },
        };
      }
      const id = `re_${randomUUID()}`;
      this.ledger.append({
        type: 'refund',
        id,
        idempotencyKey: key,
        chargeId: charge.id,
        amountCents: input.amountCents,
        createdAt: now,
      });
      return {
        response: {
          status: 201,
          body: { id, object: 'refund', refundedCents: input.amountCents, chargeId: charge.id, createdAt: now },
        },
      };
    });
  }

  private idempotent(
    key: string,
    operation: string,
    fingerprint: string,
    decideOnce: () => { response: StoredResponse } | { transient: string },
  ): Answer {
    const result = this.ledger.transaction(() => {
      const stored = this.ledger.storedResponse(key);
      if (stored) {
        if (stored.operation !== operation || stored.fingerprint !== fingerprint) {
          return { mismatch: true as const };
        }
        return { response: stored.response, replayed: true };
      }
      const outcome = decideOnce();
      if ('response' in outcome) {
        this.ledger.storeResponse(key, operation, fingerprint, outcome.response, this.clock().toISOString());
      }
      return outcome;
    });
    if ('mismatch' in result) {
      throw new IdempotencyMismatch(
        `Idempotency key "${key}" was already used for a different ${operation} request; use a new key for a new request.`,
      );
    }
    if ('transient' in result) throw new TransientFailure(result.transient);
    return 'replayed' in result ? { ...result.response, replayed: true } : result.response;
  }
}
