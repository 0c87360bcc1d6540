/**
 * The order: one durable function from payment to rating. State lives in the variables below; Temporal persists
 * every step, so timers survive restarts and a crashed worker loses nothing.
 */
import type { OrderActivities } from '@durable-delivery/activities';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { formatCents } from '@durable-delivery/catalog';
import {
  CHECKOUT_FAILURES,
  CustomerIdAttribute,
  DriverIdAttribute,
  OrderErrorType,
  OrderStateAttribute,
  OrderStateSinceAttribute,
  OrderTotalCentsAttribute,
  cancelUpdate,
  deliverUpdate,
  deliveredSignal,
  getStatusQuery,
  markDeliveredUpdate,
  orderWorkflowId,
  pickUpUpdate,
  pickedUpSignal,
  rateUpdate,
  refundAndCloseUpdate,
  waitForPaymentUpdate,
  type CancelArgs,
  type DriverArgs,
  type MarkDeliveredArgs,
  type OperatorAction,
  type OperatorArgs,
  type NotificationKind,
  type OrderFailureCode,
  type OrderPerks,
  type OrderPoints,
  type OrderState,
  type OrderStatus,
  type PaymentSettlement,
  type RateArgs,
  type SentNotification,
} from './definitions';
import { isRecord, validateOrder, type OrderInput, type ValidOrder } from './input';
import { notificationMessage } from './messages';
import { orderMetrics, type RefundReason } from './metrics';

// Update arguments arrive as JSON from any caller (the API, the Temporal CLI): checked before use.
function invalidArgument(message: string): never {
  throw ApplicationFailure.create({
    type: OrderErrorType.invalidArgument,
    message: `Invalid argument: ${message}`,
    nonRetryable: true,
  });
}

function parseDriverArgs(args: unknown): string {
  const driverId = isRecord(args) ? args.driverId : undefined;
  if (typeof driverId !== 'string' || driverId.trim() === '') return invalidArgument('driverId is required');
  if (driverId.trim().length > 128) return invalidArgument('driverId must be at most 128 characters');
  return driverId.trim();
}

function parseCancelArgs(args: unknown): string | undefined {
  if (args === undefined || args === null) return undefined;
  if (!isRecord(args)) return invalidArgument('expected an object like {"reason": "…"}');
  const { reason } = args;
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string') return invalidArgument('reason must be text');
  if (reason.trim().length > 500) return invalidArgument('reason must be at most 500 characters');
  return reason.trim() || undefined;
}

function parseOperatorArgs(args: unknown): { operator: string; reason: string } {
  const { operator, reason } = isRecord(args) ? args : {};
  if (typeof operator !== 'string' || operator.trim() === '') {
    return invalidArgument('operator is required: who is acting (a name or an email)');
  }
  if (operator.trim().length > 128) return invalidArgument('operator must be at most 128 characters');
  if (typeof reason !== 'string' || reason.trim() === '') return invalidArgument('reason is required: why');
  if (reason.trim().length > 500) return invalidArgument('reason must be at most 500 characters');
  return { operator: operator.trim(), reason: reason.trim() };
}

function parseMarkDeliveredArgs(args: unknown): { operator: string; reason: string; driverId?: string } {
  const parsed = parseOperatorArgs(args);
  const driverId = isRecord(args) ? args.driverId : undefined;
  if (driverId === undefined) return parsed;
  return { ...parsed, driverId: parseDriverArgs({ driverId }) };
}

function parseRateArgs(args: unknown): { stars: number; comment?: string } {
  const { stars, comment } = isRecord(args) ? args : {};
  if (typeof stars !== 'number' || !Number.isInteger(stars) || stars < 1 || stars > 5) {
    return invalidArgument('stars must be a whole number from 1 to 5');
  }
  if (comment !== undefined && typeof comment !== 'string') return invalidArgument('comment must be text');
  const trimmed = typeof comment === 'string' ? comment.trim() : '';
  if (trimmed.length > 1000) return invalidArgument('comment must be at most 1000 characters');
  return { stars, ...(trimmed ? { comment: trimmed } : {}) };
}

/**
 * The one change this order workflow took for loyalty and the pass, behind patches so that orders recorded before
 * it replay as they ran (README: "Changing a running workflow safely"). CHECKOUT_PERKS: before charging, ask the
 * customer's pass and redeem the chosen reward, and charge the adjusted total. LOYALTY_POINTS: after delivery,
 * credit the points (its own patch, so an order paid before the deploy and delivered after it still earns them).
 */
export const CHECKOUT_PERKS_PATCH = 'checkout-perks';
export const LOYALTY_POINTS_PATCH = 'loyalty-points';

export async function order(rawInput: OrderInput): Promise<OrderStatus> {
  let valid: ValidOrder;
  try {
    valid = validateOrder(rawInput);
    const expectedId = orderWorkflowId(valid.input.orderId);
    if (workflowInfo().workflowId !== expectedId) {
      throw new Error(`the workflow id must be "${expectedId}" for order ${valid.input.orderId}`);
    }
  } catch (error) {
    const failure = ApplicationFailure.create({
      type: OrderErrorType.invalidInput,
      message: error instanceof Error ? error.message : String(error),
      nonRetryable: true,
    });
    // Checkout sends its update together with the start; reject it with the same reason the workflow fails with.
    setHandler(waitForPaymentUpdate, (): Promise<PaymentSettlement> => Promise.reject(failure), {
      validator: (): void => {
        throw failure;
      },
    });
    throw failure;
  }
  return runOrder(valid);
}

async function runOrder({ input, windows, priced }: ValidOrder): Promise<OrderStatus> {
  const { orderId, customerId } = input;
  // Counted here, not by callers: an order started from the CLI counts too, and a replay never counts again.
  const metrics = orderMetrics();
  metrics.placed();
  const secondsSinceStart = () => (Date.now() - workflowInfo().runStartTime.getTime()) / 1000;

  // Charges give up after the payment window; refunds must happen, so they retry until they succeed.
  const payments = proxyActivities<OrderActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: windows.payment,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });
  const refunds = proxyActivities<OrderActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  // Push notifications take a fast path and a durable one. Normally a local activity delivers the message inside
  // the current workflow task: no activity task for the server to dispatch, one marker in the history, no extra
  // workflow task. If the push service fails or is slow, the same message (same idempotency key, so never shown
  // twice) goes to a regular activity that keeps retrying, visible in the Temporal UI, without holding up the order.
  const pushNow = proxyLocalActivities<OrderActivities>({
    startToCloseTimeout: '2 seconds',
    scheduleToCloseTimeout: '5 seconds',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 },
  });
  // A notification that cannot be delivered within an hour is stale; the order goes on without it.
  const pushEventually = proxyActivities<OrderActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  // Points for a delivered order are taken within the loyalty program's memory of orders (seven days): a day of
  // retries is well inside it, and the order stays open (it waits in settle()) until they land or give up.
  const loyaltyCredit = proxyActivities<OrderActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

  let state: OrderState = 'charging';
  const transitions: { state: OrderState; at: string }[] = [{ state, at: iso(Date.now()) }];
  let driverId: string | undefined;
  let chargeId: string | undefined;
  let refundedCents: number | undefined;
  let failure: { code: OrderFailureCode; message: string } | undefined;
  let cancellation: { reason?: string; requestedAt: string } | undefined;
  let rating: { stars: number; comment?: string; ratedAt: string } | undefined;
  const operatorActions: OperatorAction[] = [];
  // Set by refundAndClose: the main flow, wherever it waits, refunds and closes the order.
  let operatorClose: { operator: string; reason: string } | undefined;
  // Set by markDelivered on an order no driver had picked up, so no "on its way" message goes out after the fact.
  let deliveredWithoutPickup = false;
  // Past the rating window the order is only settling: operator actions no longer apply.
  let closing = false;
  const deadlines: { pickUpBy?: number; deliverBy?: number; rateBy?: number } = {};
  const notifications: { -readonly [K in keyof SentNotification]: SentNotification[K] }[] = [];
  // Background work settled before the order ends: notifications, and the loyalty credit after delivery.
  const pendingNotifications: Promise<void>[] = [];
  // Decided at checkout by the server (CHECKOUT_PERKS_PATCH); without perks the order charges its priced total.
  let perks: OrderPerks | undefined;
  let chargedCents = priced.totalCents;
  let points: OrderPoints | undefined;
  /** A reward this order asked for: given back (idempotently) whenever the order ends without being delivered. */
  let rewardToReturn: string | undefined;

  const status = (): OrderStatus => ({
    orderId,
    customerId,
    customerName: input.customerName,
    state,
    items: priced.lines.map((line) => ({
      productId: line.product.id,
      name: line.product.name,
      quantity: line.quantity,
      unitPriceCents: line.product.priceCents,
      lineTotalCents: line.lineTotalCents,
    })),
    subtotalCents: priced.subtotalCents,
    deliveryFeeCents: priced.deliveryFeeCents - (perks?.deliveryFeeWaivedCents ?? 0),
    totalCents: chargedCents,
    ...(perks ? { perks: { ...perks, ...(perks.reward ? { reward: { ...perks.reward } } : {}) } } : {}),
    ...(points ? { loyalty: { ...points } } : {}),
    deliveryAddress: input.deliveryAddress,
    transitions: [...transitions],
    deadlines: {
      pickUpBy: isoOrUndefined(deadlines.pickUpBy),
      deliverBy: isoOrUndefined(deadlines.deliverBy),
      rateBy: isoOrUndefined(deadlines.rateBy),
    },
    driverId,
    chargeId,
    refundedCents,
    failure,
    cancellation,
    rating,
    notifications: notifications.map((notification) => ({ ...notification })),
    operatorActions: operatorActions.map((action) => ({ ...action })),
  });

  /**
   * What the Temporal UI shows as the order's current details: the step it waits on and until when. Recomputed at
   * every transition; setting it records nothing in the history, so it is free and replay-safe.
   */
  function showCurrentStep(): void {
    const until = (millis: number | undefined) => (millis === undefined ? '' : ` until ${iso(millis)}`);
    const total = formatCents(chargedCents);
    const steps: Record<OrderState, () => string> = {
      charging: () => `**Charging** ${total}${cancellation ? ' (cancel requested: refunds once it settles)' : ''}`,
      paid: () => `**Waiting for a driver**${until(deadlines.pickUpBy)}; refunded if nobody picks it up`,
      pickedUp: () => `**Out for delivery** with driver ${driverId ?? '(unknown)'}${until(deadlines.deliverBy)}`,
      delivered: () => {
        if (rating) return `**Delivered**, rated ${rating.stars}/5`;
        return closing ? '**Delivered**, not rated' : `**Delivered**; taking a rating${until(deadlines.rateBy)}`;
      },
      refunding: () => `**Refunding** ${total}`,
      paymentFailed: () => `**Payment failed**: ${failure?.message ?? 'unknown'}`,
      refunded: () => `**Refunded** ${formatCents(refundedCents ?? 0)}: ${failure?.message ?? 'unknown'}`,
      cancelled: () => `**Cancelled**${cancellation?.reason ? `: ${cancellation.reason}` : ''}`,
    };
    setCurrentDetails(steps[state]());
  }

  // Search attributes are written only at real transitions, in the same workflow task: no extra server work.
  function enter(next: OrderState, extra: SearchAttributeUpdatePair[] = []): void {
    state = next;
    const now = Date.now();
    transitions.push({ state: next, at: iso(now) });
    upsertSearchAttributes([
      { key: OrderStateAttribute, value: next },
      { key: OrderStateSinceAttribute, value: new Date(now) },
      ...extra,
    ]);
    showCurrentStep();
  }

  function notify(kind: NotificationKind, reason?: string): void {
    const entry: (typeof notifications)[number] = { kind, message: notificationMessage(kind, { priced, reason }) };
    notifications.push(entry);
    const push = { customerId, orderId, kind, message: entry.message };
    // Sent in the background so a slow push service never delays the order's timers; awaited before the end.
    const summary = { summary: `Notify the customer: ${kind}` };
    pendingNotifications.push(
      pushNow.sendPushNotification
        .executeWithOptions(summary, [push])
        .catch((error: unknown) => {
          if (isCancellation(error)) throw error;
          log.info('push service did not answer in time; retrying in the background', { orderId, kind });
          return pushEventually.sendPushNotification.executeWithOptions(summary, [push]);
        })
        .then(
          () => {
            entry.sentAt = iso(Date.now());
          },
          (error: unknown) => {
            entry.failed = true;
            log.warn('notification was not delivered', { orderId, kind, error: String(error) });
          },
        ),
    );
  }

  async function refund(reason: string, why: RefundReason): Promise<void> {
    const result = await refunds.refundOrder.executeWithOptions(
      { summary: `Refund ${formatCents(chargedCents)}: ${reason}` },
      [{ orderId, amountCents: chargedCents, reason }],
    );
    refundedCents = result.refundedCents;
    if (result.refundedCents > 0) metrics.refunded(why);
  }

  /** An order that will not be delivered gives its reward back; retried until the loyalty workflow answers. */
  async function returnReward(): Promise<void> {
    if (rewardToReturn === undefined) return;
    const rewardId = rewardToReturn;
    rewardToReturn = undefined;
    const result = await refunds.returnReward({ orderId, customerId, rewardId });
    if (perks?.reward) perks = { ...perks, reward: { ...perks.reward, returned: result.returned } };
  }

  /**
   * Checkout perks, decided by the server before the charge: free delivery if the customer's pass is paid up, and
   * the chosen reward redeemed for this order. Answers why checkout cannot go on, or undefined when it can.
   */
  async function applyPerks(): Promise<{ code: OrderFailureCode; message: string } | undefined> {
    rewardToReturn = input.rewardId;
    try {
      const applied = await payments.applyCheckoutPerks({
        orderId,
        customerId,
        subtotalCents: priced.subtotalCents,
        deliveryFeeCents: priced.deliveryFeeCents,
        ...(input.rewardId ? { rewardId: input.rewardId } : {}),
      });
      perks = {
        deliveryFeeWaivedCents: applied.deliveryFeeWaivedCents,
        discountCents: applied.discountCents,
        ...(applied.reward ? { reward: { rewardId: applied.reward.rewardId, level: applied.reward.level } } : {}),
      };
      chargedCents = priced.totalCents - applied.deliveryFeeWaivedCents - applied.discountCents;
      if (chargedCents !== priced.totalCents) {
        upsertSearchAttributes([{ key: OrderTotalCentsAttribute, value: chargedCents }]);
      }
      return undefined;
    } catch (error) {
      if (isCancellation(error)) throw error;
      // The loyalty workflow refused the reward (used by another order, below its minimum): a reason for a person.
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) {
        return { code: 'rewardUnavailable', message: error.cause.message };
      }
      return {
        code: 'paymentUnavailable',
        message: 'your rewards and delivery pass could not be checked; nothing was charged. Please try again later',
      };
    }
  }

  /** After delivery: the points, in the background (the rating prompt's timer is not held up), settled before the end. */
  function earnPoints(deliveredAt: string): void {
    pendingNotifications.push(
      loyaltyCredit.earnPoints({ orderId, customerId, amountCents: chargedCents, deliveredAt }).then(
        (credit) => {
          points = { pointsEarned: credit.pointsEarned, points: credit.points, level: credit.level };
        },
        (error: unknown) => {
          log.warn('loyalty points were not credited', { orderId, error: String(error) });
        },
      ),
    );
  }

  /** Before the function returns, every notification is settled and every update handler has answered. */
  async function settle(): Promise<void> {
    await Promise.all(pendingNotifications);
    await condition(allHandlersFinished);
  }

  function refuse(type: string, message: string): never {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  }

  /** "it was already picked up by driver d-7": why an action does not fit the order's state, for a person. */
  function whereItStands(): string {
    switch (state) {
      case 'charging':
        return cancellation ? 'is being cancelled' : 'is still being charged';
      case 'paid':
        return cancellation ? 'is being cancelled' : 'is waiting for a driver';
      case 'pickedUp':
        return driverId ? `was already picked up by driver ${driverId}` : 'was already picked up';
      case 'delivered':
        return closing ? 'was delivered and its rating window has closed' : 'was already delivered';
      case 'refunding':
        return operatorClose ? 'is being refunded by an operator' : 'is being refunded';
      case 'paymentFailed':
        return 'could not be paid for';
      case 'refunded':
        if (failure?.code === 'refundedByOperator') return 'was refunded by an operator';
        return failure?.code === 'notDeliveredInTime'
          ? 'was refunded because it was not delivered in time'
          : 'was refunded because no driver picked it up in time';
      case 'cancelled':
        return 'was cancelled';
    }
  }

  const canPickUp = () => state === 'paid' && !cancellation;
  const paymentSettled = () => chargeId !== undefined || (failure !== undefined && CHECKOUT_FAILURES.has(failure.code));

  function acceptPickUp(by: string | undefined): void {
    driverId = by;
    deadlines.pickUpBy = undefined;
    deadlines.deliverBy = Date.now() + windows.delivery;
    enter('pickedUp', by ? [{ key: DriverIdAttribute, value: by }] : []);
  }

  function acceptDelivery(): void {
    deadlines.deliverBy = undefined;
    deadlines.rateBy = Date.now() + windows.ratePrompt + windows.rating;
    enter('delivered');
  }

  setHandler(getStatusQuery, status);
  showCurrentStep();

  setHandler(waitForPaymentUpdate, async (): Promise<PaymentSettlement> => {
    await condition(paymentSettled);
    if (chargeId !== undefined) return { outcome: 'paid', status: status() };
    return { outcome: 'declined', reason: failure?.message ?? 'payment failed', status: status() };
  });

  // Validators run before an update is accepted and handlers change state synchronously, so of two drivers
  // racing for one order the second is rejected by the validator: exactly one wins. Handlers check again anyway,
  // so the rule holds however the SDK interleaves updates that arrive together.
  const checkPickUp = (args: DriverArgs): string => {
    const by = parseDriverArgs(args);
    if (!canPickUp()) refuse(OrderErrorType.wrongState, `Cannot pick up order ${orderId}: it ${whereItStands()}.`);
    return by;
  };
  const checkDeliver = (args: DriverArgs): void => {
    const by = parseDriverArgs(args);
    if (state !== 'pickedUp')
      refuse(OrderErrorType.wrongState, `Cannot deliver order ${orderId}: it ${whereItStands()}.`);
    if (driverId !== undefined && driverId !== by) {
      refuse(
        OrderErrorType.wrongDriver,
        `Cannot deliver order ${orderId}: it was picked up by driver ${driverId}, not ${by}.`,
      );
    }
  };

  setHandler(
    pickUpUpdate,
    (args: DriverArgs) => {
      acceptPickUp(checkPickUp(args));
      return status();
    },
    { validator: checkPickUp },
  );

  setHandler(
    deliverUpdate,
    (args: DriverArgs) => {
      checkDeliver(args);
      acceptDelivery();
      return status();
    },
    { validator: checkDeliver },
  );

  const checkCancel = (args?: CancelArgs): string | undefined => {
    const reason = parseCancelArgs(args);
    if (!((state === 'charging' || state === 'paid') && !cancellation)) {
      refuse(OrderErrorType.wrongState, `Cannot cancel order ${orderId}: it ${whereItStands()}.`);
    }
    return reason;
  };

  setHandler(
    cancelUpdate,
    (args?: CancelArgs) => {
      const reason = checkCancel(args);
      cancellation = { ...(reason ? { reason } : {}), requestedAt: iso(Date.now()) };
      // A paid order starts refunding at once, so no driver can pick it up in between.
      if (state === 'paid') enter('refunding');
      return status();
    },
    { validator: checkCancel },
  );

  const checkRate = (args: RateArgs): RateArgs => {
    const parsed = parseRateArgs(args);
    if (state !== 'delivered')
      refuse(OrderErrorType.wrongState, `Cannot rate order ${orderId}: it ${whereItStands()}.`);
    if (rating) refuse(OrderErrorType.wrongState, `Order ${orderId} was already rated.`);
    if (deadlines.rateBy !== undefined && Date.now() > deadlines.rateBy) {
      refuse(
        OrderErrorType.wrongState,
        `Order ${orderId} can no longer be rated: ratings closed at ${iso(deadlines.rateBy)}.`,
      );
    }
    return parsed;
  };

  setHandler(
    rateUpdate,
    (args: RateArgs) => {
      const { stars, comment } = checkRate(args);
      rating = { stars, ...(comment ? { comment } : {}), ratedAt: iso(Date.now()) };
      showCurrentStep();
      return status();
    },
    { validator: checkRate },
  );

  const checkRefundAndClose = (args: OperatorArgs): { operator: string; reason: string } => {
    const parsed = parseOperatorArgs(args);
    const open = state === 'paid' || state === 'pickedUp' || (state === 'delivered' && !closing);
    if (!open || cancellation || operatorClose) {
      refuse(OrderErrorType.wrongState, `Cannot refund and close order ${orderId}: it ${whereItStands()}.`);
    }
    return parsed;
  };

  setHandler(
    refundAndCloseUpdate,
    async (args: OperatorArgs) => {
      const parsed = checkRefundAndClose(args);
      operatorClose = parsed;
      operatorActions.push({ action: 'refundAndClose', ...parsed, at: iso(Date.now()) });
      deadlines.pickUpBy = undefined;
      deadlines.deliverBy = undefined;
      deadlines.rateBy = undefined;
      // Refunding at once, so no driver action can slip in; the main flow, wherever it waits, does the refund.
      enter('refunding');
      await condition(() => state === 'refunded');
      return status();
    },
    { validator: checkRefundAndClose },
  );

  const checkMarkDelivered = (args: MarkDeliveredArgs): { operator: string; reason: string; driverId?: string } => {
    const parsed = parseMarkDeliveredArgs(args);
    if (!((state === 'paid' && !cancellation) || state === 'pickedUp')) {
      refuse(OrderErrorType.wrongState, `Cannot mark order ${orderId} delivered: it ${whereItStands()}.`);
    }
    if (
      state === 'pickedUp' &&
      parsed.driverId !== undefined &&
      driverId !== undefined &&
      parsed.driverId !== driverId
    ) {
      refuse(
        OrderErrorType.wrongDriver,
        `Cannot mark order ${orderId} delivered by ${parsed.driverId}: driver ${driverId} picked it up.`,
      );
    }
    return parsed;
  };

  setHandler(
    markDeliveredUpdate,
    (args: MarkDeliveredArgs) => {
      const { driverId: by, ...action } = checkMarkDelivered(args);
      operatorActions.push({ action: 'markDelivered', ...action, at: iso(Date.now()) });
      if (state === 'paid') {
        deliveredWithoutPickup = true;
        driverId = by;
        deadlines.pickUpBy = undefined;
        if (by) upsertSearchAttributes([{ key: DriverIdAttribute, value: by }]);
      }
      acceptDelivery();
      return status();
    },
    { validator: checkMarkDelivered },
  );

  setHandler(pickedUpSignal, (args) => {
    if (!canPickUp()) {
      log.warn('pickedUp signal ignored', { orderId, state, reason: `order ${whereItStands()}` });
      return;
    }
    acceptPickUp(args?.driverId?.trim() || undefined);
  });

  setHandler(deliveredSignal, (args) => {
    const by = args?.driverId?.trim() || undefined;
    if (state !== 'pickedUp' || (driverId !== undefined && by !== undefined && by !== driverId)) {
      log.warn('delivered signal ignored', { orderId, state, driverId, by });
      return;
    }
    acceptDelivery();
  });

  // Orders started from the Temporal CLI come without search attributes; the API sets them at start.
  const known = workflowInfo().typedSearchAttributes;
  const missing: SearchAttributeUpdatePair[] = [];
  if (known.get(OrderStateAttribute) === undefined) missing.push({ key: OrderStateAttribute, value: state });
  if (known.get(OrderStateSinceAttribute) === undefined)
    missing.push({ key: OrderStateSinceAttribute, value: new Date() });
  if (known.get(CustomerIdAttribute) === undefined) missing.push({ key: CustomerIdAttribute, value: customerId });
  if (known.get(OrderTotalCentsAttribute) === undefined)
    missing.push({ key: OrderTotalCentsAttribute, value: priced.totalCents });
  if (missing.length > 0) upsertSearchAttributes(missing);

  async function cancelAfterPayment(): Promise<OrderStatus> {
    if (state !== 'refunding') enter('refunding');
    await refund(
      cancellation?.reason ? `cancelled: ${cancellation.reason}` : 'cancelled by the customer',
      'cancelledByCustomer',
    );
    await returnReward();
    enter('cancelled');
    metrics.cancelled('customer');
    notify('cancelled', cancellation?.reason);
    await settle();
    log.info('order cancelled', { orderId });
    return status();
  }

  async function closeByOperator(): Promise<never> {
    const { operator, reason } = operatorClose ?? { operator: 'unknown', reason: 'refunded by an operator' };
    if (state !== 'refunding') enter('refunding');
    await refund(`refunded by operator ${operator}: ${reason}`, 'refundedByOperator');
    await returnReward();
    failure = { code: 'refundedByOperator', message: reason };
    enter('refunded');
    notify('refundedByOperator', reason);
    await settle();
    log.info('order refunded and closed by an operator', { orderId, operator });
    throw ApplicationFailure.create({
      type: OrderErrorType.refundedByOperator,
      message: `Refunded by operator ${operator}: ${reason}`,
      nonRetryable: true,
    });
  }

  async function refundAndFail(code: 'notPickedUpInTime' | 'notDeliveredInTime'): Promise<never> {
    const message = code === 'notPickedUpInTime' ? 'Not picked up in time' : 'Not delivered in time';
    failure = { code, message };
    deadlines.pickUpBy = undefined;
    deadlines.deliverBy = undefined;
    enter('refunding');
    await refund(message, code);
    await returnReward();
    enter('refunded');
    notify(code);
    await settle();
    throw ApplicationFailure.create({
      type: code === 'notPickedUpInTime' ? OrderErrorType.notPickedUpInTime : OrderErrorType.notDeliveredInTime,
      message,
      nonRetryable: true,
    });
  }

  /** Nothing charged (or a charge whose outcome is unknown, refunded by its key): the order ends paymentFailed. */
  async function failCheckout(why: { code: OrderFailureCode; message: string }, refundFirst: boolean): Promise<never> {
    failure = why;
    if (refundFirst) {
      // The charge may have gone through with its reply lost: refunding by the charge's key settles that either way.
      enter('refunding');
      await refund('payment outcome unknown', 'paymentOutcomeUnknown');
    }
    enter('paymentFailed');
    await returnReward();
    notify('paymentFailed', why.message);
    await settle();
    throw ApplicationFailure.create({
      type: OrderErrorType.paymentFailed,
      message: `Failed to charge customer for order ${orderId}: ${why.message}`,
      nonRetryable: true,
    });
  }

  async function run(): Promise<OrderStatus> {
    if (patched(CHECKOUT_PERKS_PATCH)) {
      const refused = await applyPerks();
      if (refused) return failCheckout(refused, false);
    }
    try {
      const charge = await payments.chargeCustomer.executeWithOptions(
        { summary: `Charge ${formatCents(chargedCents)}` },
        [
          {
            orderId,
            customerId,
            amountCents: chargedCents,
            paymentMethod: input.paymentMethod,
            description: `Durable Delivery order ${orderId}`,
          },
        ],
      );
      chargeId = charge.chargeId;
      metrics.paid();
      metrics.paymentSettled('paid', secondsSinceStart());
    } catch (error) {
      if (isCancellation(error)) throw error;
      const declined =
        error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable;
      metrics.paymentFailed(declined ? 'declined' : 'unavailable');
      metrics.paymentSettled(declined ? 'declined' : 'unavailable', secondsSinceStart());
      return failCheckout(
        declined
          ? { code: 'cardDeclined', message: error.cause.message }
          : { code: 'paymentUnavailable', message: 'the payment service could not be reached; please try again later' },
        !declined,
      );
    }
    log.info('order paid', { orderId, chargeId });

    if (cancellation) return cancelAfterPayment();
    deadlines.pickUpBy = Date.now() + windows.pickup;
    enter('paid');
    const pickedUpInTime = await condition(() => state !== 'paid', windows.pickup);
    if (cancellation) return cancelAfterPayment();
    if (operatorClose) return closeByOperator();
    if (!pickedUpInTime) return refundAndFail('notPickedUpInTime');
    if (!deliveredWithoutPickup) notify('pickedUp');

    // Each wait below also ends when an operator refunds and closes the order (operatorClose is new: in histories
    // recorded before it existed it is never set, so those orders replay exactly as they ran).
    const deliveredInTime = await condition(
      () => state === 'delivered' || operatorClose !== undefined,
      Math.max(1, (deadlines.deliverBy ?? 0) - Date.now()),
    );
    if (operatorClose) return closeByOperator();
    if (!deliveredInTime) return refundAndFail('notDeliveredInTime');
    metrics.delivered();
    notify('delivered');
    // Delivered, so the reward stays used; the points are this order's to earn.
    rewardToReturn = undefined;
    if (patched(LOYALTY_POINTS_PATCH)) earnPoints(transitions[transitions.length - 1]!.at);

    const ratedBeforePrompt = await condition(
      () => rating !== undefined || operatorClose !== undefined,
      windows.ratePrompt,
    );
    if (operatorClose) return closeByOperator();
    if (!ratedBeforePrompt) {
      notify('ratePrompt');
      await condition(
        () => rating !== undefined || operatorClose !== undefined,
        Math.max(1, (deadlines.rateBy ?? 0) - Date.now()),
      );
      if (operatorClose) return closeByOperator();
    }
    closing = true;
    showCurrentStep();
    await settle();
    log.info('order completed', { orderId, rated: rating !== undefined });
    return status();
  }

  try {
    return await run();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // An operator cancelled the workflow itself: compensate in a scope that cannot be cancelled, then end.
    await CancellationScope.nonCancellable(async () => {
      if (state === 'delivered' || state === 'cancelled' || state === 'refunded' || state === 'paymentFailed') return;
      cancellation ??= { reason: 'cancelled by an operator', requestedAt: iso(Date.now()) };
      if (state !== 'refunding') enter('refunding');
      await refund('order cancelled by an operator', 'cancelledByOperator');
      await returnReward();
      enter('cancelled');
      metrics.cancelled('operator');
      notify('cancelled', cancellation.reason);
      await Promise.all(pendingNotifications);
    });
    throw error;
  }
}

function iso(millis: number): string {
  return new Date(millis).toISOString();
}

function isoOrUndefined(millis: number | undefined): string | undefined {
  return millis === undefined ? undefined : iso(millis);
}
