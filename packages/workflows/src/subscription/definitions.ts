/**
 * The delivery pass's contract, defined once and imported by the subscription workflow and by every caller (the
 * order's activities, the API, tests): names, price, settings, messages, state, search attributes and ids. One
 * `subscription` workflow runs per subscribed customer: it charges once per billing period (a durable sleep in
 * between), makes delivery free while paid, and ends when cancelled or when renewals keep failing.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { CustomerIdAttribute } from '../order/definitions';
import type { DurationInput } from '../order/input';

export const SUBSCRIPTION_WORKFLOW_TYPE = 'subscription';

const SUBSCRIPTION_WORKFLOW_ID_PREFIX = 'subscription-';

/** At most one pass per customer: the workflow id is the customer's. A pass that ended can be started again. */
export function subscriptionWorkflowId(customerId: string): string {
  return `${SUBSCRIPTION_WORKFLOW_ID_PREFIX}${customerId}`;
}

/** The price of one billing period. */
export const PASS_PRICE_CENTS = 999;

export interface PassSettings {
  /** How long one paid period lasts; the next charge is due when it ends. */
  readonly billingPeriod: number;
  /** After a declined renewal, how long until the next try. */
  readonly renewalRetryDelay: number;
  /** How many tries a renewal gets before the pass ends. */
  readonly renewalAttempts: number;
}

export const DEFAULT_PASS_SETTINGS: PassSettings = {
  billingPeriod: 30 * 24 * 60 * 60 * 1000,
  renewalRetryDelay: 24 * 60 * 60 * 1000,
  renewalAttempts: 3,
};

/**
 * Machine values; the apps turn them into labels. `pending`: the first charge is in flight. `cancelling`: cancelled,
 * still paid (and free delivery) until the period ends. `pastDue`: a renewal failed and is retried; no free delivery
 * until it is paid. `ended` is final.
 */
export type PassState = 'pending' | 'active' | 'cancelling' | 'pastDue' | 'ended';

export const PASS_STATES = [
  'pending',
  'active',
  'cancelling',
  'pastDue',
  'ended',
] as const satisfies readonly PassState[];

export type PassEndReason = 'declined' | 'paymentUnavailable' | 'cancelled' | 'renewalFailed';

export interface PassCharge {
  readonly period: number;
  /** Which idempotency key of the period it used: a new key only after a definite decline. */
  readonly attempt: number;
  readonly outcome: 'paid' | 'declined' | 'unavailable';
  readonly amountCents: number;
  readonly chargeId?: string;
  readonly reason?: string;
  readonly at: string;
}

/** Everything a UI needs to draw the pass, from one query. Times are ISO-8601 strings in workflow time. */
export interface DeliveryPass {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly state: PassState;
  readonly priceCents: number;
  readonly billingPeriodMs: number;
  readonly subscribedAt: string;
  /** The current billing period, counted from 1; 0 before the first charge settles. */
  readonly period: number;
  /** The end of the paid period. */
  readonly paidThrough?: string;
  /** When the next charge is due (active), or the next try (past due). */
  readonly nextChargeAt?: string;
  /** When a cancelled pass stops (the end of the paid period). */
  readonly endsAt?: string;
  readonly endedAt?: string;
  readonly endReason?: PassEndReason;
  readonly timesCharged: number;
  readonly totalChargedCents: number;
  /** Newest first, the last CHARGES_KEPT. */
  readonly charges: readonly PassCharge[];
  /** Whether an order placed now gets free delivery. */
  readonly freeDelivery: boolean;
  /** Why the last charge failed, while past due or after the pass ended for it. */
  readonly failure?: string;
  /** While past due: which try comes next, of how many. */
  readonly renewal?: { readonly nextTry: number; readonly of: number };
  readonly runs: number;
}

export const CHARGES_KEPT = 24;

/** A subscription run continues as new at this many events (years of monthly periods), or when the server suggests. */
export const SUBSCRIPTION_MAX_HISTORY_EVENTS = 1_000;

export interface SubscriptionCarriedState {
  readonly paymentMethod: string;
  readonly settings: PassSettings;
  readonly state: 'active' | 'cancelling';
  readonly subscribedAt: string;
  readonly period: number;
  readonly paidThrough: number;
  readonly timesCharged: number;
  readonly totalChargedCents: number;
  readonly charges: readonly PassCharge[];
  readonly runs: number;
}

export interface SubscriptionInput {
  readonly customerId: string;
  /**
   * Made by the caller, once per subscribe (the menu app makes it in the browser, like an order id): every charge's
   * idempotency key carries it, so a new pass after an old one ended never reuses the old one's keys.
   */
  readonly subscriptionId: string;
  /** A card token, charged every period. */
  readonly paymentMethod: string;
  readonly settings?: {
    readonly billingPeriod?: DurationInput;
    readonly renewalRetryDelay?: DurationInput;
    readonly renewalAttempts?: number;
  };
  /** Set by the workflow itself when it continues as new. */
  readonly carried?: SubscriptionCarriedState;
}

export type SubscriptionWorkflow = (input: SubscriptionInput) => Promise<DeliveryPass>;

export interface CancelPassArgs {
  readonly reason?: string;
}

export const getPassQuery = defineQuery<DeliveryPass>('getPass');

/** Sent with update-with-start: answers once the first charge settles (active, or ended with the decline reason). */
export const subscribeUpdate = defineUpdate<DeliveryPass>('subscribe');
/** Cancels at the end of the paid period (at once while past due); free delivery lasts until then. */
export const cancelPassUpdate = defineUpdate<DeliveryPass, [CancelPassArgs]>('cancelPass');
/** Takes back a cancellation before the period ends. */
export const resumePassUpdate = defineUpdate<DeliveryPass>('resumePass');

export { continueAsNewUpdate } from '../shared/definitions';

export const PassErrorType = {
  invalidInput: 'InvalidPassInput',
  invalidArgument: 'InvalidArgument',
  wrongState: 'PassStateConflict',
} as const;

export const PassStatusAttribute = defineSearchAttributeKey('PassStatus', SearchAttributeType.KEYWORD);

/** Every custom search attribute a subscription carries: `PassStatus = 'pastDue'` lists the renewals in trouble. */
export const subscriptionSearchAttributes = [CustomerIdAttribute, PassStatusAttribute] as const;
