/**
 * The order workflow's contract, defined once and imported by the workflow and by every caller (API, worker,
 * tests, CLI docs): names, messages, state, search attributes and ids. Importing this module never loads workflow
 * code, so it is safe in Node processes and bundlers alike.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OrderInput } from './input';

/** Callers start workflows by type name: a minifier may rename the function, never this string. */
export const ORDER_WORKFLOW_TYPE = 'order';
export const ORDER_TASK_QUEUE = 'orders';

/** Order ids are made by the client (so a retried checkout cannot create two orders); workflow ids add a prefix. */
export function orderWorkflowId(orderId: string): string {
  return `${ORDER_WORKFLOW_ID_PREFIX}${orderId}`;
}

const ORDER_WORKFLOW_ID_PREFIX = 'order-';

/** The order id of an order's workflow id, or undefined for any other workflow. */
export function orderIdOf(workflowId: string): string | undefined {
  return workflowId.startsWith(ORDER_WORKFLOW_ID_PREFIX)
    ? workflowId.slice(ORDER_WORKFLOW_ID_PREFIX.length)
    : undefined;
}

/**
 * Machine values; the apps turn them into labels. `paymentFailed`, `refunded`, `cancelled` and `delivered` are
 * final (a delivered order still takes a rating until its window closes).
 */
export type OrderState =
  'charging' | 'paid' | 'pickedUp' | 'delivered' | 'refunding' | 'paymentFailed' | 'refunded' | 'cancelled';

export const ORDER_STATES = [
  'charging',
  'paid',
  'pickedUp',
  'delivered',
  'refunding',
  'paymentFailed',
  'refunded',
  'cancelled',
] as const satisfies readonly OrderState[];

export type OrderFailureCode =
  | 'cardDeclined'
  | 'paymentUnavailable'
  | 'rewardUnavailable'
  | 'notPickedUpInTime'
  | 'notDeliveredInTime'
  | 'refundedByOperator';

/** Failures at checkout: nothing was charged, and the checkout answers "declined" with the reason. */
export const CHECKOUT_FAILURES: ReadonlySet<OrderFailureCode> = new Set([
  'cardDeclined',
  'paymentUnavailable',
  'rewardUnavailable',
]);

export type NotificationKind =
  | 'paymentFailed'
  | 'pickedUp'
  | 'delivered'
  | 'ratePrompt'
  | 'notPickedUpInTime'
  | 'notDeliveredInTime'
  | 'cancelled'
  | 'refundedByOperator';

/** What an operator did to an order by hand, kept in the order's state as its audit trail. */
export interface OperatorAction {
  readonly action: 'refundAndClose' | 'markDelivered';
  readonly operator: string;
  readonly reason: string;
  readonly at: string;
}

export interface OrderLine {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly lineTotalCents: number;
}

export interface SentNotification {
  readonly kind: NotificationKind;
  readonly message: string;
  /** When the push service accepted it, or undefined while it is still being sent (or retried). */
  readonly sentAt?: string;
  readonly failed?: boolean;
}

/**
 * What the server decided at checkout, before charging: the customer's delivery pass and loyalty reward, never the
 * customer's say-so. Absent for orders that ran before checkout perks existed.
 */
export interface OrderPerks {
  /** The delivery fee the customer's pass waived; 0 without an active pass. */
  readonly deliveryFeeWaivedCents: number;
  /** The discount of the reward applied; 0 without one. */
  readonly discountCents: number;
  readonly reward?: {
    readonly rewardId: string;
    readonly level: string;
    /** True once the order failed or was cancelled and the reward went back to the customer. */
    readonly returned?: boolean;
  };
}

/** The points a delivered order earned. */
export interface OrderPoints {
  readonly pointsEarned: number;
  readonly points: number;
  readonly level: string;
}

/** Everything a UI needs to draw an order, from one query. Times are ISO-8601 strings in workflow time. */
export interface OrderStatus {
  readonly orderId: string;
  readonly customerId: string;
  readonly customerName?: string;
  readonly state: OrderState;
  readonly items: readonly OrderLine[];
  readonly subtotalCents: number;
  /** The delivery fee charged: 0 when the customer's pass waived it. */
  readonly deliveryFeeCents: number;
  /** What the customer is charged: subtotal, minus a reward, plus the delivery fee. */
  readonly totalCents: number;
  readonly perks?: OrderPerks;
  readonly loyalty?: OrderPoints;
  readonly deliveryAddress: OrderInput['deliveryAddress'];
  /** Every state the order entered, with when. */
  readonly transitions: readonly { readonly state: OrderState; readonly at: string }[];
  /** The deadline of the step the order waits on now, if any. */
  readonly deadlines: { readonly pickUpBy?: string; readonly deliverBy?: string; readonly rateBy?: string };
  readonly driverId?: string;
  /** The picking driver's name as people see it (recorded at pick-up; absent on orders picked up before it was). */
  readonly driverName?: string;
  readonly chargeId?: string;
  readonly refundedCents?: number;
  readonly failure?: { readonly code: OrderFailureCode; readonly message: string };
  readonly cancellation?: { readonly reason?: string; readonly requestedAt: string };
  readonly rating?: { readonly stars: number; readonly comment?: string; readonly ratedAt: string };
  readonly notifications: readonly SentNotification[];
  /** Operator actions on this order (see docs/operations.md), oldest first. */
  readonly operatorActions: readonly OperatorAction[];
}

/** How the charge settled: the answer of the waitForPayment update. */
export type PaymentSettlement =
  | { readonly outcome: 'paid'; readonly status: OrderStatus }
  | { readonly outcome: 'declined'; readonly reason: string; readonly status: OrderStatus };

/** What checkout learns from one request: paid, declined with the reason, or still charging (retries ongoing). */
export type CheckoutResult = PaymentSettlement | { readonly outcome: 'charging'; readonly status: OrderStatus };

/** How the charge stands: paid, declined (a checkout failure), or still charging. The one rule, for the workflow and callers. */
export function chargeOutcome({
  chargeId,
  failure,
}: Pick<OrderStatus, 'chargeId' | 'failure'>): CheckoutResult['outcome'] {
  if (chargeId !== undefined) return 'paid';
  return failure && CHECKOUT_FAILURES.has(failure.code) ? 'declined' : 'charging';
}

/** How the charge stands, read from an order's status, with the decline's reason. */
export function settlementOf(status: OrderStatus): CheckoutResult {
  const outcome = chargeOutcome(status);
  if (outcome === 'declined') return { outcome, reason: status.failure?.message ?? 'payment failed', status };
  return { outcome, status };
}

export interface DriverArgs {
  readonly driverId: string;
  /** The driver's display name, shown to the customer (pick-up only; never the account id or login). */
  readonly driverName?: string;
}
export interface CancelArgs {
  readonly reason?: string;
}
export interface RateArgs {
  readonly stars: number;
  readonly comment?: string;
}
/** Who acts and why: both required, so every manual change to an order says who made it and for what. */
export interface OperatorArgs {
  readonly operator: string;
  readonly reason: string;
}
export interface MarkDeliveredArgs extends OperatorArgs {
  /** The driver who delivered it, when the order was never marked picked up. */
  readonly driverId?: string;
}

export const getStatusQuery = defineQuery<OrderStatus>('getStatus');

/**
 * Checkout's early return: sent with update-with-start, it answers as soon as the charge settles. It sets no timer
 * of its own: the caller bounds how long it waits (see checkout()), so the order's first workflow task carries no
 * extra commands and a long payment retry costs the server nothing while the caller is away.
 */
export const waitForPaymentUpdate = defineUpdate<PaymentSettlement>('waitForPayment');
export const pickUpUpdate = defineUpdate<OrderStatus, [DriverArgs]>('pickUp');
export const deliverUpdate = defineUpdate<OrderStatus, [DriverArgs]>('deliver');
export const cancelUpdate = defineUpdate<OrderStatus, [CancelArgs]>('cancel');
export const rateUpdate = defineUpdate<OrderStatus, [RateArgs]>('rate');

/**
 * Operator actions on a stuck order, for the Temporal CLI and UI (docs/operations.md). Updates with validators, so
 * an action that does not fit the order's state is refused with the reason instead of being dropped.
 * refundAndClose refunds a paid, picked-up or delivered order and closes it as refunded; it answers once the refund
 * went through. markDelivered closes a paid or picked-up order as delivered, when the driver could not.
 */
export const refundAndCloseUpdate = defineUpdate<OrderStatus, [OperatorArgs]>('refundAndClose');
export const markDeliveredUpdate = defineUpdate<OrderStatus, [MarkDeliveredArgs]>('markDelivered');

/**
 * The seed's signals, kept for the Temporal CLI and UI. A signal cannot answer, so one that does not fit the
 * order's state is logged and dropped; the apps use the updates above, which reject with a reason.
 */
export const pickedUpSignal = defineSignal<[Partial<DriverArgs>?]>('pickedUp');
export const deliveredSignal = defineSignal<[Partial<DriverArgs>?]>('delivered');

/**
 * What a list shows about an order without querying it: set once at start as the workflow's memo, which visibility
 * returns with every list row (the driver's list needs the address; one list call draws the page).
 */
export interface OrderMemo {
  readonly dishes: string;
  readonly deliveryAddress: OrderInput['deliveryAddress'];
  readonly customerName?: string;
  /**
   * The order's pickup and delivery windows (ms). The workflow sets a deadline at the moment it enters a state, the
   * same moment it writes OrderStateSince, so a list shows each order's deadline as OrderStateSince + window, with no
   * per-order query. Absent on orders started before it was added.
   */
  readonly windows?: { readonly pickup: number; readonly delivery: number };
}

/** The memo field that holds the OrderMemo. */
export const ORDER_MEMO_KEY = 'order';

/** ApplicationFailure types a caller can branch on (the API maps them to HTTP-like codes). */
export const OrderErrorType = {
  invalidInput: 'InvalidOrderInput',
  invalidArgument: 'InvalidArgument',
  wrongState: 'OrderStateConflict',
  wrongDriver: 'WrongDriver',
  notPickedUpInTime: 'NotPickedUpInTime',
  notDeliveredInTime: 'NotDeliveredInTime',
  paymentFailed: 'PaymentFailed',
  refundedByOperator: 'RefundedByOperator',
} as const;

/** Search attributes, kept current at every transition, so lists come from one visibility query. */
export const OrderStateAttribute = defineSearchAttributeKey('OrderState', SearchAttributeType.KEYWORD);
export const OrderStateSinceAttribute = defineSearchAttributeKey('OrderStateSince', SearchAttributeType.DATETIME);
export const CustomerIdAttribute = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const DriverIdAttribute = defineSearchAttributeKey('DriverId', SearchAttributeType.KEYWORD);
export const OrderTotalCentsAttribute = defineSearchAttributeKey('OrderTotalCents', SearchAttributeType.INT);

/** Every custom search attribute the order uses: a server must have these registered. */
export const orderSearchAttributes = [
  OrderStateAttribute,
  OrderStateSinceAttribute,
  CustomerIdAttribute,
  DriverIdAttribute,
  OrderTotalCentsAttribute,
] as const;

export type OrderWorkflow = (input: OrderInput) => Promise<OrderStatus>;
