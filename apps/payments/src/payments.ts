import { randomUUID } from 'node:crypto';
import {
  answerOnce,
  chargeFingerprint,
  decideCharge,
  decideRefund,
  refundFingerprint,
  transientFailure,
  type FirstAnswer,
  type Operation,
} from '@durable-delivery/provider-rules';
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
 * Charges and refunds by the provider rules (@durable-delivery/provider-rules, which the in-process simulator
 * follows too), on the ledger: each key's first answer is stored in the same transaction as its ledger entry.
 */
export class Payments {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  charge(key: string, input: ChargeInput): Answer {
    return this.idempotent(key, 'charge', chargeFingerprint(input), () => {
      const transient = transientFailure(input.paymentMethod, () => this.ledger.countAttempt(key));
      if (transient) return { transient };
      const now = this.clock().toISOString();
      const decision = decideCharge(input.paymentMethod);
      const base = {
        orderId: input.orderId,
        customerId: input.customerId,
        amountCents: input.amountCents,
        createdAt: now,
      };
      if (decision.outcome === 'decline') {
        this.ledger.append({ ...base, type: 'decline', id: `dc_${randomUUID()}`, idempotencyKey: key });
        return {
          answer: {
            status: 402,
            body: { error: { type: 'card_error', code: decision.declineCode, message: decision.message } },
          },
        };
      }
      const id = `ch_${randomUUID()}`;
      this.ledger.append({ ...base, type: 'charge', id, idempotencyKey: key });
      return {
        answer: {
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
    return this.idempotent(key, 'refund', refundFingerprint(input), () => {
      const now = this.clock().toISOString();
      const charge = this.ledger.chargeByKey(input.chargeIdempotencyKey);
      const decision = decideRefund({
        chargedCents: charge?.amountCents,
        refundedCents: charge ? this.ledger.refundedCents(charge.id) : 0,
        amountCents: input.amountCents,
      });
      if (decision.outcome === 'nothing' || !charge) {
        return { answer: { status: 200, body: { id: null, object: 'refund', refundedCents: 0, chargeId: null } } };
      }
      if (decision.outcome === 'refused') {
        return {
          answer: {
            status: 409,
            body: {
              error: { type: 'invalid_request_error', code: decision.declineCode, message: decision.message },
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
        answer: {
          status: 201,
          body: { id, object: 'refund', refundedCents: input.amountCents, chargeId: charge.id, createdAt: now },
        },
      };
    });
  }

  private idempotent(
    key: string,
    operation: Operation,
    fingerprint: string,
    decideOnce: () => FirstAnswer<StoredResponse>,
  ): Answer {
    const result = this.ledger.transaction(() =>
      answerOnce(
        {
          get: (stored) => {
            const found = this.ledger.storedResponse(stored);
            return found && { ...found, operation: found.operation as Operation, answer: found.response };
          },
          set: (stored, { answer }) =>
            this.ledger.storeResponse(stored, operation, fingerprint, answer, this.clock().toISOString()),
        },
        key,
        operation,
        fingerprint,
        decideOnce,
      ),
    );
    if ('mismatch' in result) throw new IdempotencyMismatch(result.mismatch);
    if ('transient' in result) throw new TransientFailure(result.transient);
    return result.replayed ? { ...result.answer, replayed: true } : result.answer;
  }
}
