/**
 * How the outside world talks to an order: the status query, the checkout's waitForPayment, the drivers' and the
 * customer's updates, an operator's updates, and the signals of the original demo. Each update has a validator:
 * a refused update is never written to the history, and its caller gets the reason.
 */
import { condition, log, setHandler } from '@temporalio/workflow';
import { iso, refuse } from '../shared/helpers';
import {
  OrderErrorType,
  cancelUpdate,
  deliverUpdate,
  deliveredSignal,
  getStatusQuery,
  markDeliveredUpdate,
  pickUpUpdate,
  pickedUpSignal,
  rateUpdate,
  refundAndCloseUpdate,
  settlementOf,
  waitForPaymentUpdate,
  type CancelArgs,
  type DriverArgs,
  type MarkDeliveredArgs,
  type OperatorArgs,
  type PaymentSettlement,
  type RateArgs,
} from './definitions';
import { isRecord } from './input';
import { shortOrderNumber } from './messages';
import type { Order } from './state';

/** Registers every handler of `order`, in the order the SDK has always seen them (buffered messages go first). */
export function registerHandlers(order: Order): void {
  const { orderId } = order;
  // Refusals reach drivers and customers: the order number they see on their screens, not the whole id.
  const shown = shortOrderNumber(orderId);

  setHandler(getStatusQuery, () => order.status());
  order.showCurrentStep();

  setHandler(waitForPaymentUpdate, async (): Promise<PaymentSettlement> => {
    await condition(() => order.paymentSettled());
    // Settled, so paid or declined: never 'charging'.
    return settlementOf(order.status()) as PaymentSettlement;
  });

  // Validators run before an update is accepted and handlers change state synchronously, so of two drivers
  // racing for one order the second is rejected by the validator: exactly one wins. Handlers check again anyway,
  // so the rule holds however the SDK interleaves updates that arrive together.
  const checkPickUp = (args: DriverArgs): string => {
    const by = parseDriverArgs(args);
    if (!order.canPickUp()) {
      refuse(OrderErrorType.wrongState, `Cannot pick up order ${shown}: it ${order.whereItStands()}.`);
    }
    return by;
  };
  setHandler(
    pickUpUpdate,
    (args: DriverArgs) => {
      order.pickUp(checkPickUp(args), parseDriverName(args));
      return order.status();
    },
    { validator: checkPickUp },
  );

  const checkDeliver = (args: DriverArgs): void => {
    const by = parseDriverArgs(args);
    if (order.state !== 'pickedUp') {
      refuse(OrderErrorType.wrongState, `Cannot deliver order ${shown}: it ${order.whereItStands()}.`);
    }
    if (order.driverId !== undefined && order.driverId !== by) {
      refuse(
        OrderErrorType.wrongDriver,
        `Cannot deliver order ${shown}: it was picked up by driver ${order.driverId}, not ${by}.`,
      );
    }
  };
  setHandler(
    deliverUpdate,
    (args: DriverArgs) => {
      checkDeliver(args);
      order.deliver();
      return order.status();
    },
    { validator: checkDeliver },
  );

  const checkCancel = (args?: CancelArgs): string | undefined => {
    const reason = parseCancelArgs(args);
    if (!((order.state === 'charging' || order.state === 'paid') && !order.cancellation)) {
      refuse(
        OrderErrorType.wrongState,
        `Cannot cancel order ${shortOrderNumber(orderId)}: it ${order.whereItStands()}.`,
      );
    }
    return reason;
  };
  setHandler(
    cancelUpdate,
    (args?: CancelArgs) => {
      order.cancel(checkCancel(args));
      return order.status();
    },
    { validator: checkCancel },
  );

  const checkRate = (args: RateArgs): RateArgs => {
    const parsed = parseRateArgs(args);
    if (order.state !== 'delivered') {
      refuse(OrderErrorType.wrongState, `Cannot rate order ${orderId}: it ${order.whereItStands()}.`);
    }
    if (order.rating) refuse(OrderErrorType.wrongState, `Order ${orderId} was already rated.`);
    const { rateBy } = order.deadlines;
    if (rateBy !== undefined && Date.now() > rateBy) {
      refuse(OrderErrorType.wrongState, `Order ${orderId} can no longer be rated: ratings closed at ${iso(rateBy)}.`);
    }
    return parsed;
  };
  setHandler(
    rateUpdate,
    (args: RateArgs) => {
      const { stars, comment } = checkRate(args);
      order.rate(stars, comment);
      return order.status();
    },
    { validator: checkRate },
  );

  const checkRefundAndClose = (args: OperatorArgs): { operator: string; reason: string } => {
    const parsed = parseOperatorArgs(args);
    const { state } = order;
    const open = state === 'paid' || state === 'pickedUp' || (state === 'delivered' && !order.closing);
    if (!open || order.cancellation || order.operatorClose) {
      refuse(OrderErrorType.wrongState, `Cannot refund and close order ${orderId}: it ${order.whereItStands()}.`);
    }
    return parsed;
  };
  setHandler(
    refundAndCloseUpdate,
    async (args: OperatorArgs) => {
      order.closeByOperator(checkRefundAndClose(args));
      // Answered once the story has refunded and closed the order.
      await condition(() => order.state === 'refunded');
      return order.status();
    },
    { validator: checkRefundAndClose },
  );

  const checkMarkDelivered = (args: MarkDeliveredArgs): { operator: string; reason: string; driverId?: string } => {
    const parsed = parseMarkDeliveredArgs(args);
    const { state, driverId } = order;
    if (!((state === 'paid' && !order.cancellation) || state === 'pickedUp')) {
      refuse(OrderErrorType.wrongState, `Cannot mark order ${orderId} delivered: it ${order.whereItStands()}.`);
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
      order.markDelivered(checkMarkDelivered(args));
      return order.status();
    },
    { validator: checkMarkDelivered },
  );

  // The signals cannot be refused (a signal has no answer): one that does not fit is logged and ignored.
  setHandler(pickedUpSignal, (args) => {
    if (!order.canPickUp()) {
      log.warn('pickedUp signal ignored', { orderId, state: order.state, reason: `order ${order.whereItStands()}` });
      return;
    }
    order.pickUp(args?.driverId?.trim() || undefined);
  });

  setHandler(deliveredSignal, (args) => {
    const by = args?.driverId?.trim() || undefined;
    const { state, driverId } = order;
    if (state !== 'pickedUp' || (driverId !== undefined && by !== undefined && by !== driverId)) {
      log.warn('delivered signal ignored', { orderId, state, driverId, by });
      return;
    }
    order.deliver();
  });
}

// Update arguments arrive as JSON from any caller (the API, the Temporal CLI): checked before use.

function invalidArgument(message: string): never {
  return refuse(OrderErrorType.invalidArgument, `Invalid argument: ${message}`);
}

function parseDriverArgs(args: unknown): string {
  const driverId = isRecord(args) ? args.driverId : undefined;
  if (typeof driverId !== 'string' || driverId.trim() === '') return invalidArgument('driverId is required');
  if (driverId.trim().length > 128) return invalidArgument('driverId must be at most 128 characters');
  return driverId.trim();
}

/** Optional, and only ever shown: anything but a short line of text is dropped rather than refusing the pick-up. */
function parseDriverName(args: unknown): string | undefined {
  const name = isRecord(args) ? args.driverName : undefined;
  return typeof name === 'string' && name.trim() && name.trim().length <= 80 ? name.trim() : undefined;
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
