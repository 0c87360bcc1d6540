/**
 * A customer's delivery pass: one record, changed by the transitions below (called by the story in ./workflow.ts,
 * its steps in ./steps.ts and the handlers in ./handlers.ts). Handed to the next run at continue-as-new.
 */
import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { CustomerIdAttribute } from '../order/definitions';
import { iso, isoOrUndefined } from '../shared/helpers';
import {
  CHARGES_KEPT,
  PASS_PRICE_CENTS,
  PassStatusAttribute,
  type DeliveryPass,
  type PassCharge,
  type PassEndReason,
  type PassSettings,
  type PassState,
  type SubscriptionCarriedState,
} from './definitions';

/** The input as checked at start. */
export interface CheckedInput {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly paymentMethod: string;
  readonly settings: PassSettings;
  readonly carried?: SubscriptionCarriedState;
}

export class Pass {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly settings: PassSettings;
  readonly paymentMethod: string;
  /** A run after a continue-as-new: the pass is already paid through its period. */
  readonly carried: boolean;
  readonly runs: number;
  state: PassState;
  readonly subscribedAt: string;
  period: number;
  paidThrough: number | undefined;
  timesCharged: number;
  totalChargedCents: number;
  readonly charges: PassCharge[];
  nextTryAt: number | undefined;
  renewal: { nextTry: number; of: number } | undefined;
  failure: string | undefined;
  endedAt: number | undefined;
  endReason: PassEndReason | undefined;
  /** An operator asked for a continue-as-new. */
  continueRequested = false;
  /** The charge whose outcome is unknown (its activity gave up): refunded by its key if the pass ends on it. */
  unsettled: { period: number; attempt: number } | undefined;
  /** True while a renewal charge is in flight: cancelling then would race the charge, so it waits. */
  renewing = false;

  constructor({ customerId, subscriptionId, settings, carried, ...input }: CheckedInput) {
    this.customerId = customerId;
    this.subscriptionId = subscriptionId;
    this.settings = settings;
    this.carried = carried !== undefined;
    this.paymentMethod = carried?.paymentMethod ?? input.paymentMethod;
    this.runs = (carried?.runs ?? 0) + 1;
    this.state = carried?.state ?? 'pending';
    this.subscribedAt = carried?.subscribedAt ?? iso(Date.now());
    this.period = carried?.period ?? 0;
    this.paidThrough = carried?.paidThrough;
    this.timesCharged = carried?.timesCharged ?? 0;
    this.totalChargedCents = carried?.totalChargedCents ?? 0;
    this.charges = [...(carried?.charges ?? [])];
  }

  // Reading the pass: the query, the search attributes, the Temporal UI's current details, the hand-over.

  status(): DeliveryPass {
    const { state, paidThrough } = this;
    return {
      customerId: this.customerId,
      subscriptionId: this.subscriptionId,
      state,
      priceCents: PASS_PRICE_CENTS,
      billingPeriodMs: this.settings.billingPeriod,
      subscribedAt: this.subscribedAt,
      period: this.period,
      paidThrough: isoOrUndefined(paidThrough),
      nextChargeAt: isoOrUndefined(state === 'active' ? paidThrough : state === 'pastDue' ? this.nextTryAt : undefined),
      endsAt: isoOrUndefined(state === 'cancelling' ? paidThrough : undefined),
      endedAt: isoOrUndefined(this.endedAt),
      endReason: this.endReason,
      timesCharged: this.timesCharged,
      totalChargedCents: this.totalChargedCents,
      charges: [...this.charges],
      freeDelivery:
        (state === 'active' || state === 'cancelling') && paidThrough !== undefined && Date.now() < paidThrough,
      failure: this.failure,
      renewal: this.renewal,
      runs: this.runs,
    };
  }

  attributes(): SearchAttributePair[] {
    return [
      { key: CustomerIdAttribute, value: this.customerId },
      { key: PassStatusAttribute, value: this.state },
    ];
  }

  describe(): void {
    setCurrentDetails(`${this.state} · period ${this.period} · charged ${this.timesCharged} times · run ${this.runs}`);
  }

  ended(): boolean {
    return this.state === 'ended';
  }

  /** Everything the next run starts from: only taken between charges, so it resumes the wait for the period's end. */
  handOver(): SubscriptionCarriedState {
    return {
      paymentMethod: this.paymentMethod,
      settings: this.settings,
      state: this.state === 'cancelling' ? 'cancelling' : 'active',
      subscribedAt: this.subscribedAt,
      period: this.period,
      paidThrough: this.paidThrough ?? Date.now(),
      timesCharged: this.timesCharged,
      totalChargedCents: this.totalChargedCents,
      charges: this.charges,
      runs: this.runs,
    };
  }

  // Transitions.

  enter(next: PassState): void {
    this.state = next;
    upsertSearchAttributes(this.attributes());
    this.describe();
  }

  /** Started from the Temporal CLI, it has no search attributes yet; the API sets them at start. */
  addMissingSearchAttributes(): void {
    if (workflowInfo().typedSearchAttributes.get(PassStatusAttribute) === undefined) {
      upsertSearchAttributes(this.attributes());
    }
  }

  beginPeriod(period: number): void {
    this.period = period;
  }

  /** `amountCents` as the payment provider answered it. */
  chargePaid(entry: PassCharge, amountCents: number): void {
    this.unsettled = undefined;
    this.timesCharged += 1;
    this.totalChargedCents += amountCents;
    this.record(entry);
  }

  /**
   * A charge that timed out may have gone through with its reply lost: the next try reuses its key, so the
   * provider answers with what happened instead of charging again.
   */
  chargeFailed(entry: PassCharge, declined: boolean): void {
    this.unsettled = declined ? undefined : { period: entry.period, attempt: entry.attempt };
    this.record(entry);
  }

  unsettledRefunded(): void {
    this.unsettled = undefined;
  }

  private record(entry: PassCharge): void {
    this.charges.unshift(entry);
    this.charges.splice(CHARGES_KEPT);
  }

  failed(reason: string): void {
    this.failure = reason;
  }

  /** The first charge went through: the first period is paid. */
  activate(): void {
    this.paidThrough = Date.now() + this.settings.billingPeriod;
    this.enter('active');
  }

  /** A renewal went through. The billing date stays put: one paid late still covers the period from its due date. */
  renewed(): void {
    this.paidThrough = (this.paidThrough ?? Date.now()) + this.settings.billingPeriod;
    this.failure = undefined;
    this.nextTryAt = undefined;
    this.renewal = undefined;
    this.enter('active');
  }

  /** A renewal try failed with tries to spare; answers true when the pass just fell past due. */
  retryLater(tries: number): boolean {
    this.nextTryAt = Date.now() + this.settings.renewalRetryDelay;
    this.renewal = { nextTry: tries + 1, of: this.settings.renewalAttempts };
    if (this.state === 'pastDue') return false;
    this.enter('pastDue');
    return true;
  }

  /** The customer cancels: past due, nothing paid is left to run out, so it ends now; otherwise at the period's end. */
  cancel(): void {
    if (this.state === 'pastDue') this.close('cancelled');
    else this.enter('cancelling');
    log.info('delivery pass cancelled', { customerId: this.customerId, state: this.state });
  }

  resume(): void {
    this.enter('active');
  }

  close(reason: PassEndReason): void {
    this.endReason = reason;
    this.endedAt = Date.now();
    this.nextTryAt = undefined;
    this.renewal = undefined;
    this.enter('ended');
    log.info('delivery pass ended', { customerId: this.customerId, reason, timesCharged: this.timesCharged });
  }
}
