import {
  IdempotencyConflictError,
  PaymentDeclinedError,
  ServiceUnavailableError,
  type Charge,
  type ChargeRequest,
  type PaymentsClient,
  type Refund,
  type RefundRequest,
} from '../clients';
import { Faults, type FaultSettings } from './faults';

/** Card tokens with known behaviour, like a payment provider's test mode. */
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

const FLAKY_FAILURES_PER_CHARGE = 2;

type ChargeOutcome = { readonly charge: Charge } | { readonly declined: PaymentDeclinedError };

interface StoredCharge {
  readonly fingerprint: string;
  readonly request: ChargeRequest;
  readonly outcome: ChargeOutcome;
}

interface StoredRefund {
  readonly fingerprint: string;
  readonly request: RefundRequest;
  readonly refund: Refund;
}

export interface LedgerEntry {
  readonly type: 'charge' | 'decline' | 'refund';
  readonly idempotencyKey: string;
  readonly orderId?: string;
  readonly amountCents: number;
}

/**
 * An in-process payment provider with idempotency semantics like the best real ones: the same key returns the
 * same stored answer (declines included); the same key with different parameters is refused; transient failures
 * are not stored, so a retry can still succeed.
 */
export class SimulatedPayments implements PaymentsClient {
  readonly faults: Faults;
  private readonly charges = new Map<string, StoredCharge>();
  private readonly refunds = new Map<string, StoredRefund>();
  private readonly flakyAttempts = new Map<string, number>();
  private sequence = 0;

  constructor(options: { faults?: Partial<FaultSettings>; random?: () => number } = {}) {
    this.faults = new Faults('payments', options.faults, options.random);
  }

  async charge(request: ChargeRequest): Promise<Charge> {
    await this.faults.apply();
    const fingerprint = JSON.stringify([
      request.orderId,
      request.customerId,
      request.amountCents,
      request.currency,
      request.paymentMethod,
    ]);
    const stored = this.charges.get(request.idempotencyKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        throw new IdempotencyConflictError(
          `Idempotency key ${request.idempotencyKey} was already used for a different charge`,
        );
      }
      return replay(stored.outcome);
    }
    if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) {
      throw new PaymentDeclinedError('invalid_amount', `Cannot charge ${request.amountCents} cents`);
    }
    if (request.paymentMethod === TEST_CARDS.flaky) {
      const attempts = (this.flakyAttempts.get(request.idempotencyKey) ?? 0) + 1;
      this.flakyAttempts.set(request.idempotencyKey, attempts);
      if (attempts <= FLAKY_FAILURES_PER_CHARGE) {
        throw new ServiceUnavailableError(`Card network timeout (attempt ${attempts})`);
      }
    }
    const outcome = decide(request, () => `ch_${++this.sequence}`);
    this.charges.set(request.idempotencyKey, { fingerprint, request, outcome });
    return replay(outcome);
  }

  async refund(request: RefundRequest): Promise<Refund> {
    await this.faults.apply();
    const fingerprint = JSON.stringify([request.chargeIdempotencyKey, request.amountCents]);
    const stored = this.refunds.get(request.idempotencyKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        throw new IdempotencyConflictError(
          `Idempotency key ${request.idempotencyKey} was already used for a different refund`,
        );
      }
      return stored.refund;
    }
    // A negative refund would raise what remains refundable and let later refunds exceed the charge.
    if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) {
      throw new PaymentDeclinedError('invalid_amount', `Cannot refund ${request.amountCents} cents`);
    }
    const charge = this.charges.get(request.chargeIdempotencyKey);
    let refund: Refund;
    if (!charge || !('charge' in charge.outcome)) {
      // Nothing was taken, so there is nothing to give back: a compensation that finds no charge is a success.
      refund = { refundedCents: 0 };
    } else {
      const alreadyRefunded = [...this.refunds.values()]
        .filter((entry) => entry.request.chargeIdempotencyKey === request.chargeIdempotencyKey)
        .reduce((sum, entry) => sum + entry.refund.refundedCents, 0);
      const refundable = charge.outcome.charge.amountCents - alreadyRefunded;
      if (request.amountCents > refundable) {
        throw new PaymentDeclinedError(
          'refund_exceeds_charge',
          `Cannot refund ${request.amountCents} cents: only ${refundable} cents of the charge remain`,
        );
      }
      refund = { refundId: `re_${++this.sequence}`, refundedCents: request.amountCents };
    }
    this.refunds.set(request.idempotencyKey, { fingerprint, request, refund });
    return refund;
  }

  /** Every stored outcome, in order: what a reconciliation compares against the orders. */
  ledger(): LedgerEntry[] {
    const entries: LedgerEntry[] = [];
    for (const [key, { request, outcome }] of this.charges) {
      entries.push({
        type: 'charge' in outcome ? 'charge' : 'decline',
        idempotencyKey: key,
        orderId: request.orderId,
        amountCents: request.amountCents,
      });
    }
    for (const [key, { refund }] of this.refunds) {
      if (refund.refundId) entries.push({ type: 'refund', idempotencyKey: key, amountCents: refund.refundedCents });
    }
    return entries;
  }
}

function decide(request: ChargeRequest, nextId: () => string): ChargeOutcome {
  switch (request.paymentMethod) {
    case TEST_CARDS.insufficientFunds:
      return { declined: new PaymentDeclinedError('insufficient_funds', 'Your card has insufficient funds.') };
    case TEST_CARDS.expiredCard:
      return { declined: new PaymentDeclinedError('expired_card', 'Your card has expired.') };
    case TEST_CARDS.visa:
    case TEST_CARDS.flaky:
      return { charge: { chargeId: nextId(), amountCents: request.amountCents } };
    default:
      return {
        declined: new PaymentDeclinedError(
          'invalid_payment_method',
          `Unknown payment method "${request.paymentMethod}".`,
        ),
      };
  }
}

function replay(outcome: ChargeOutcome): Charge {
  if ('declined' in outcome) throw outcome.declined;
  return outcome.charge;
}
