import {
  Faults,
  answerOnce,
  chargeFingerprint,
  decideCharge,
  decideRefund,
  isValidAmount,
  refundFingerprint,
  transientFailure,
  type FaultSettings,
  type StoredAnswer,
} from '@durable-delivery/provider-rules';
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
import { failOnFault } from './faults';

export { TEST_CARDS } from '@durable-delivery/provider-rules';

type ChargeOutcome = { readonly charge: Charge } | { readonly declined: PaymentDeclinedError };
type RefundOutcome = { readonly refund: Refund } | { readonly refused: PaymentDeclinedError };

interface StoredCharge extends StoredAnswer<ChargeOutcome> {
  readonly request: ChargeRequest;
}

interface StoredRefund extends StoredAnswer<RefundOutcome> {
  readonly request: RefundRequest;
}

export interface LedgerEntry {
  readonly type: 'charge' | 'decline' | 'refund';
  readonly idempotencyKey: string;
  readonly orderId?: string;
  readonly amountCents: number;
}

/**
 * An in-process payment provider on the same rules as the payment service (@durable-delivery/provider-rules: the
 * test cards, idempotent answers, refunds), kept in memory: what the workflow tests and demos run against.
 */
export class SimulatedPayments implements PaymentsClient {
  readonly faults: Faults;
  private readonly charges = new Map<string, StoredCharge>();
  private readonly refunds = new Map<string, StoredRefund>();
  private readonly flakyAttempts = new Map<string, number>();
  private sequence = 0;

  constructor(options: { faults?: Partial<FaultSettings>; random?: () => number } = {}) {
    this.faults = new Faults(options.faults, options.random);
  }

  async charge(request: ChargeRequest): Promise<Charge> {
    await failOnFault(this.faults, 'payments');
    const result = answerOnce<ChargeOutcome>(
      {
        get: (key) => this.charges.get(key),
        set: (key, stored) => this.charges.set(key, { ...stored, request }),
      },
      request.idempotencyKey,
      'charge',
      chargeFingerprint(request),
      () => {
        if (!isValidAmount(request.amountCents)) {
          // Not stored, like the service's 400: the same key with a good amount may still be used.
          throw new PaymentDeclinedError('invalid_amount', `Cannot charge ${request.amountCents} cents`);
        }
        const transient = transientFailure(request.paymentMethod, () => this.countAttempt(request.idempotencyKey));
        if (transient) return { transient };
        const decision = decideCharge(request.paymentMethod);
        return {
          answer:
            decision.outcome === 'charge'
              ? { charge: { chargeId: `ch_${++this.sequence}`, amountCents: request.amountCents } }
              : { declined: new PaymentDeclinedError(decision.declineCode, decision.message) },
        };
      },
    );
    if ('mismatch' in result) throw new IdempotencyConflictError(result.mismatch);
    if ('transient' in result) throw new ServiceUnavailableError(result.transient);
    if ('declined' in result.answer) throw result.answer.declined;
    return result.answer.charge;
  }

  async refund(request: RefundRequest): Promise<Refund> {
    await failOnFault(this.faults, 'payments');
    const result = answerOnce<RefundOutcome>(
      {
        get: (key) => this.refunds.get(key),
        set: (key, stored) => this.refunds.set(key, { ...stored, request }),
      },
      request.idempotencyKey,
      'refund',
      refundFingerprint(request),
      () => {
        // A negative refund would raise what remains refundable and let later refunds exceed the charge.
        if (!isValidAmount(request.amountCents)) {
          throw new PaymentDeclinedError('invalid_amount', `Cannot refund ${request.amountCents} cents`);
        }
        const charge = this.charges.get(request.chargeIdempotencyKey)?.answer;
        const decision = decideRefund({
          chargedCents: charge && 'charge' in charge ? charge.charge.amountCents : undefined,
          refundedCents: [...this.refunds.values()]
            .filter((entry) => entry.request.chargeIdempotencyKey === request.chargeIdempotencyKey)
            .reduce((sum, { answer }) => sum + ('refund' in answer ? answer.refund.refundedCents : 0), 0),
          amountCents: request.amountCents,
        });
        if (decision.outcome === 'refused') {
          return { answer: { refused: new PaymentDeclinedError(decision.declineCode, decision.message) } };
        }
        return {
          answer: {
            refund:
              decision.outcome === 'nothing'
                ? { refundedCents: 0 }
                : { refundId: `re_${++this.sequence}`, refundedCents: decision.amountCents },
          },
        };
      },
    );
    if ('mismatch' in result) throw new IdempotencyConflictError(result.mismatch);
    if ('transient' in result) throw new ServiceUnavailableError(result.transient);
    if ('refused' in result.answer) throw result.answer.refused;
    return result.answer.refund;
  }

  /** Every stored outcome, in order: what a reconciliation compares against the orders. */
  ledger(): LedgerEntry[] {
    const entries: LedgerEntry[] = [];
    for (const [key, { request, answer }] of this.charges) {
      entries.push({
        type: 'charge' in answer ? 'charge' : 'decline',
        idempotencyKey: key,
        orderId: request.orderId,
        amountCents: request.amountCents,
      });
    }
    for (const [key, { answer }] of this.refunds) {
      if ('refund' in answer && answer.refund.refundId) {
        entries.push({ type: 'refund', idempotencyKey: key, amountCents: answer.refund.refundedCents });
      }
    }
    return entries;
  }

  private countAttempt(key: string): number {
    const attempt = (this.flakyAttempts.get(key) ?? 0) + 1;
    this.flakyAttempts.set(key, attempt);
    return attempt;
  }
}
