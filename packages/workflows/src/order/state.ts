/**
 * The order's state: one record, changed only by the transitions below (called by the story in ./workflow.ts and
 * the handlers in ./handlers.ts). Temporal persists it by replaying the history, so it is plain memory.
 */
import { formatCents } from '@durable-delivery/catalog';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { iso, isoOrUndefined } from '../shared/helpers';
import {
  chargeOutcome,
  CustomerIdAttribute,
  DriverIdAttribute,
  OrderStateAttribute,
  OrderStateSinceAttribute,
  OrderTotalCentsAttribute,
  type NotificationKind,
  type OperatorAction,
  type OrderFailureCode,
  type OrderPerks,
  type OrderPoints,
  type OrderState,
  type OrderStatus,
  type SentNotification,
} from './definitions';
import type { ValidOrder } from './input';

export interface OrderFailure {
  readonly code: OrderFailureCode;
  readonly message: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class Order {
  readonly input: ValidOrder['input'];
  readonly windows: ValidOrder['windows'];
  readonly priced: ValidOrder['priced'];

  state: OrderState = 'charging';
  readonly transitions: { state: OrderState; at: string }[];
  driverId: string | undefined;
  driverName: string | undefined;
  chargeId: string | undefined;
  refundedCents: number | undefined;
  failure: OrderFailure | undefined;
  cancellation: { reason?: string; requestedAt: string } | undefined;
  rating: { stars: number; comment?: string; ratedAt: string } | undefined;
  readonly operatorActions: OperatorAction[] = [];
  /** Set by refundAndClose: the story, wherever it waits, refunds and closes the order. */
  operatorClose: { operator: string; reason: string } | undefined;
  /** Set by markDelivered on an order no driver had picked up, so no "on its way" message goes out after the fact. */
  deliveredWithoutPickup = false;
  /** Past the rating window the order is only settling: operator actions no longer apply. */
  closing = false;
  readonly deadlines: { pickUpBy?: number; deliverBy?: number; rateBy?: number } = {};
  readonly notifications: Mutable<SentNotification>[] = [];
  /** Decided at checkout by the server (CHECKOUT_PERKS_PATCH); without perks the order charges its priced total. */
  perks: OrderPerks | undefined;
  chargedCents: number;
  points: OrderPoints | undefined;
  /** A reward this order asked for: given back (idempotently) whenever the order ends without being delivered. */
  rewardToReturn: string | undefined;

  constructor({ input, windows, priced }: ValidOrder) {
    this.input = input;
    this.windows = windows;
    this.priced = priced;
    this.chargedCents = priced.totalCents;
    this.transitions = [{ state: this.state, at: iso(Date.now()) }];
  }

  get orderId(): string {
    return this.input.orderId;
  }

  // Reading the order: the status query, the Temporal UI's current details, and why an action does not fit.

  status(): OrderStatus {
    const { input, priced, perks, points, deadlines } = this;
    return {
      orderId: input.orderId,
      customerId: input.customerId,
      customerName: input.customerName,
      state: this.state,
      items: priced.lines.map((line) => ({
        productId: line.product.id,
        name: line.product.name,
        quantity: line.quantity,
        unitPriceCents: line.product.priceCents,
        lineTotalCents: line.lineTotalCents,
      })),
      subtotalCents: priced.subtotalCents,
      deliveryFeeCents: priced.deliveryFeeCents - (perks?.deliveryFeeWaivedCents ?? 0),
      totalCents: this.chargedCents,
      ...(perks ? { perks: { ...perks, ...(perks.reward ? { reward: { ...perks.reward } } : {}) } } : {}),
      ...(points ? { loyalty: { ...points } } : {}),
      deliveryAddress: input.deliveryAddress,
      transitions: [...this.transitions],
      deadlines: {
        pickUpBy: isoOrUndefined(deadlines.pickUpBy),
        deliverBy: isoOrUndefined(deadlines.deliverBy),
        rateBy: isoOrUndefined(deadlines.rateBy),
      },
      driverId: this.driverId,
      ...(this.driverName ? { driverName: this.driverName } : {}),
      chargeId: this.chargeId,
      refundedCents: this.refundedCents,
      failure: this.failure,
      cancellation: this.cancellation,
      rating: this.rating,
      notifications: this.notifications.map((notification) => ({ ...notification })),
      operatorActions: this.operatorActions.map((action) => ({ ...action })),
    };
  }

  /**
   * What the Temporal UI shows as the order's current details: the step it waits on and until when. Recomputed at
   * every transition; setting it records nothing in the history, so it is free and replay-safe.
   */
  showCurrentStep(): void {
    const { cancellation, deadlines, failure, rating } = this;
    const until = (millis: number | undefined) => (millis === undefined ? '' : ` until ${iso(millis)}`);
    const total = formatCents(this.chargedCents);
    const steps: Record<OrderState, () => string> = {
      charging: () => `**Charging** ${total}${cancellation ? ' (cancel requested: refunds once it settles)' : ''}`,
      paid: () => `**Waiting for a driver**${until(deadlines.pickUpBy)}; refunded if nobody picks it up`,
      pickedUp: () => `**Out for delivery** with driver ${this.driverId ?? '(unknown)'}${until(deadlines.deliverBy)}`,
      delivered: () => {
        if (rating) return `**Delivered**, rated ${rating.stars}/5`;
        return this.closing ? '**Delivered**, not rated' : `**Delivered**; taking a rating${until(deadlines.rateBy)}`;
      },
      refunding: () => `**Refunding** ${total}`,
      paymentFailed: () => `**Payment failed**: ${failure?.message ?? 'unknown'}`,
      refunded: () => `**Refunded** ${formatCents(this.refundedCents ?? 0)}: ${failure?.message ?? 'unknown'}`,
      cancelled: () => `**Cancelled**${cancellation?.reason ? `: ${cancellation.reason}` : ''}`,
    };
    setCurrentDetails(steps[this.state]());
  }

  /** "it was already picked up by driver d-7": why an action does not fit the order's state, for a person. */
  whereItStands(): string {
    switch (this.state) {
      case 'charging':
        return this.cancellation ? 'is being cancelled' : 'is still being charged';
      case 'paid':
        return this.cancellation ? 'is being cancelled' : 'is waiting for a driver';
      case 'pickedUp':
        return this.driverId ? `was already picked up by driver ${this.driverId}` : 'was already picked up';
      case 'delivered':
        return this.closing ? 'was delivered and its rating window has closed' : 'was already delivered';
      case 'refunding':
        return this.operatorClose ? 'is being refunded by an operator' : 'is being refunded';
      case 'paymentFailed':
        return 'could not be paid for';
      case 'refunded':
        if (this.failure?.code === 'refundedByOperator') return 'was refunded by an operator';
        return this.failure?.code === 'notDeliveredInTime'
          ? 'was refunded because it was not delivered in time'
          : 'was refunded because no driver picked it up in time';
      case 'cancelled':
        return 'was cancelled';
    }
  }

  canPickUp(): boolean {
    return this.state === 'paid' && !this.cancellation;
  }

  /** The charge has an outcome the checkout can answer with: paid, or a failure at checkout. */
  paymentSettled(): boolean {
    return chargeOutcome(this) !== 'charging';
  }

  // Transitions.

  /** Search attributes are written only at real transitions, in the same workflow task: no extra server work. */
  enter(next: OrderState, extra: SearchAttributeUpdatePair[] = []): void {
    this.state = next;
    const now = Date.now();
    this.transitions.push({ state: next, at: iso(now) });
    upsertSearchAttributes([
      { key: OrderStateAttribute, value: next },
      { key: OrderStateSinceAttribute, value: new Date(now) },
      ...extra,
    ]);
    this.showCurrentStep();
  }

  /** Orders started from the Temporal CLI come without search attributes; the API sets them at start. */
  addMissingSearchAttributes(): void {
    const known = workflowInfo().typedSearchAttributes;
    const missing: SearchAttributeUpdatePair[] = [];
    if (known.get(OrderStateAttribute) === undefined) missing.push({ key: OrderStateAttribute, value: this.state });
    if (known.get(OrderStateSinceAttribute) === undefined)
      missing.push({ key: OrderStateSinceAttribute, value: new Date() });
    if (known.get(CustomerIdAttribute) === undefined)
      missing.push({ key: CustomerIdAttribute, value: this.input.customerId });
    if (known.get(OrderTotalCentsAttribute) === undefined)
      missing.push({ key: OrderTotalCentsAttribute, value: this.priced.totalCents });
    if (missing.length > 0) upsertSearchAttributes(missing);
  }

  /** Checkout perks decided by the server: the total to charge changes, and so does its search attribute. */
  applyPerks(perks: OrderPerks): void {
    this.perks = perks;
    this.chargedCents = this.priced.totalCents - perks.deliveryFeeWaivedCents - perks.discountCents;
    if (this.chargedCents !== this.priced.totalCents) {
      upsertSearchAttributes([{ key: OrderTotalCentsAttribute, value: this.chargedCents }]);
    }
  }

  /** The reward the customer chose, asked for at checkout: given back unless the order is delivered. */
  redeeming(rewardId: string | undefined): void {
    this.rewardToReturn = rewardId;
  }

  charged(chargeId: string): void {
    this.chargeId = chargeId;
  }

  /** Paid: a driver has the pickup window to take it. */
  awaitDriver(): void {
    this.deadlines.pickUpBy = Date.now() + this.windows.pickup;
    this.enter('paid');
  }

  pickUp(by: string | undefined, name?: string): void {
    this.driverId = by;
    this.driverName = name;
    this.deadlines.pickUpBy = undefined;
    this.deadlines.deliverBy = Date.now() + this.windows.delivery;
    this.enter('pickedUp', by ? [{ key: DriverIdAttribute, value: by }] : []);
  }

  deliver(): void {
    this.deadlines.deliverBy = undefined;
    this.deadlines.rateBy = Date.now() + this.windows.ratePrompt + this.windows.rating;
    this.enter('delivered');
  }

  /** The customer cancels: a paid order starts refunding at once, so no driver can pick it up in between. */
  cancel(reason: string | undefined): void {
    this.cancellation = { ...(reason ? { reason } : {}), requestedAt: iso(Date.now()) };
    if (this.state === 'paid') this.enter('refunding');
  }

  rate(stars: number, comment: string | undefined): void {
    this.rating = { stars, ...(comment ? { comment } : {}), ratedAt: iso(Date.now()) };
    this.showCurrentStep();
  }

  /** Refunding at once, so no driver action can slip in; the story, wherever it waits, does the refund. */
  closeByOperator(action: { operator: string; reason: string }): void {
    this.operatorClose = action;
    this.operatorActions.push({ action: 'refundAndClose', ...action, at: iso(Date.now()) });
    this.deadlines.pickUpBy = undefined;
    this.deadlines.deliverBy = undefined;
    this.deadlines.rateBy = undefined;
    this.enter('refunding');
  }

  /** An operator confirms delivery; on an order nobody picked up, by the driver they name (if any). */
  markDelivered({ driverId: by, ...action }: { operator: string; reason: string; driverId?: string }): void {
    this.operatorActions.push({ action: 'markDelivered', ...action, at: iso(Date.now()) });
    if (this.state === 'paid') {
      this.deliveredWithoutPickup = true;
      this.driverId = by;
      this.deadlines.pickUpBy = undefined;
      if (by) upsertSearchAttributes([{ key: DriverIdAttribute, value: by }]);
    }
    this.deliver();
  }

  /** Why the order failed; no driver is awaited any more. */
  fail(failure: OrderFailure): void {
    this.failure = failure;
    this.deadlines.pickUpBy = undefined;
    this.deadlines.deliverBy = undefined;
  }

  refunded(cents: number): void {
    this.refundedCents = cents;
  }

  /** The reward to give back, taken once: a second ending (an operator's cancel during the first) skips it. */
  takeRewardToReturn(): string | undefined {
    const rewardId = this.rewardToReturn;
    this.rewardToReturn = undefined;
    return rewardId;
  }

  rewardReturned(returned: boolean): void {
    const { perks } = this;
    if (perks?.reward) this.perks = { ...perks, reward: { ...perks.reward, returned } };
  }

  earned(points: OrderPoints): void {
    this.points = points;
  }

  /** Delivered, so the reward stays used. */
  keepReward(): void {
    this.rewardToReturn = undefined;
  }

  /** A notification the customer is sent, kept in the status; the returned entry records how sending went. */
  notified(kind: NotificationKind, message: string): Mutable<SentNotification> {
    const entry: Mutable<SentNotification> = { kind, message };
    this.notifications.push(entry);
    return entry;
  }

  /** The rating window has closed: the order only settles now. */
  close(): void {
    this.closing = true;
    this.showCurrentStep();
  }
}
