/**
 * The order: one durable function from payment to rating, read top to bottom like the guide it comes from. Temporal
 * persists every step, so its timers survive restarts and a crashed worker loses nothing. Its state is one record
 * (./state.ts), changed by the updates and signals in ./handlers.ts; the calls to the outside world are the steps in
 * ./steps.ts; every way it can end is endOrder(), below the story.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import { iso, onVersionedWorkers, rejectStart, refuse } from '../shared/helpers';
import {
  OrderErrorType,
  orderWorkflowId,
  waitForPaymentUpdate,
  type NotificationKind,
  type OrderStatus,
} from './definitions';
import { registerHandlers } from './handlers';
import { validateOrder, type OrderInput, type ValidOrder } from './input';
import type { RefundReason } from './metrics';
import { Order, type OrderFailure } from './state';
import { orderSteps, type CheckoutRefusal, type OrderSteps } from './steps';

export async function order(input: OrderInput): Promise<OrderStatus> {
  // `order` is the order's state from here on: one record, changed by its transitions (./state.ts).
  const order = new Order(validateStart(input));
  const { windows } = order;
  const steps = orderSteps(order);
  const { applyPerks, chargeCustomer, notify, earnPoints, metrics } = steps;
  // Counted here, not by callers: an order started from the CLI counts too, and a replay never counts again.
  metrics.placed();
  const end = (outcome: Outcome) => endOrder(order, steps, outcome);
  registerHandlers(order);
  order.addMissingSearchAttributes();

  try {
    // 1. Charge the customer: the checkout perks first (the pass's free delivery, a reward), then the total.
    const refused = await applyPerks();
    if (refused) return await end({ kind: 'paymentFailed', ...refused });
    const unpaid = await chargeCustomer();
    if (unpaid) return await end({ kind: 'paymentFailed', ...unpaid });
    if (order.cancellation) return await end({ kind: 'cancelledByCustomer' });

    // 2. Wait for a driver to pick it up; meanwhile the customer may cancel, or an operator refund and close it.
    order.awaitDriver();
    const pickedUpInTime = await condition(() => order.state !== 'paid', windows.pickup);
    if (order.cancellation) return await end({ kind: 'cancelledByCustomer' });
    if (order.operatorClose) return await end({ kind: 'refundedByOperator' });
    if (!pickedUpInTime) return await end({ kind: 'notPickedUpInTime' });
    if (!order.deliveredWithoutPickup) notify('pickedUp');

    // 3. Wait for delivery. Each wait from here also ends when an operator refunds and closes the order
    // (operatorClose is new: in histories recorded before it existed it is never set, so they replay as they ran).
    const deliveredInTime = await condition(
      () => order.state === 'delivered' || order.operatorClose !== undefined,
      Math.max(1, (order.deadlines.deliverBy ?? 0) - Date.now()),
    );
    if (order.operatorClose) return await end({ kind: 'refundedByOperator' });
    if (!deliveredInTime) return await end({ kind: 'notDeliveredInTime' });

    // 4. Tell the customer. Delivered, so the reward stays used and the points are this order's to earn.
    metrics.delivered();
    notify('delivered');
    order.keepReward();
    earnPoints(order.transitions[order.transitions.length - 1]!.at);

    // 5. Wait while the customer eats (a rating may come early), then 6. ask for a rating until the window closes.
    const ratedOrClosed = () => order.rating !== undefined || order.operatorClose !== undefined;
    const ratedBeforePrompt = await condition(ratedOrClosed, windows.ratePrompt);
    if (order.operatorClose) return await end({ kind: 'refundedByOperator' });
    if (!ratedBeforePrompt) {
      notify('ratePrompt');
      await condition(ratedOrClosed, Math.max(1, (order.deadlines.rateBy ?? 0) - Date.now()));
      if (order.operatorClose) return await end({ kind: 'refundedByOperator' });
    }
    return await end({ kind: 'delivered' });
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // An operator cancelled the workflow itself: compensate in a scope that cannot be cancelled, then end.
    return CancellationScope.nonCancellable(() => end({ kind: 'cancelledByOperator', error }));
  }
}

/**
 * An order runs start to end on the worker build it started on (a Worker Deployment Version, when the worker is
 * versioned: docs/versioning.md). It lives about an hour, so a new build may change the order's steps with no
 * `patched()` branch for the orders already running: those finish on the build they started on.
 */
setWorkflowOptions(onVersionedWorkers('PINNED'), order);

/**
 * Create/start validation: the input checked as the API checks it, and the workflow id it must run under. A bad
 * one fails the order at once; the checkout's update, sent with the start, is refused with the same reason.
 */
function validateStart(input: OrderInput): ValidOrder {
  try {
    const valid = validateOrder(input);
    const expectedId = orderWorkflowId(valid.input.orderId);
    if (workflowInfo().workflowId !== expectedId) {
      throw new Error(`the workflow id must be "${expectedId}" for order ${valid.input.orderId}`);
    }
    return valid;
  } catch (error) {
    const failure = ApplicationFailure.create({
      type: OrderErrorType.invalidInput,
      message: error instanceof Error ? error.message : String(error),
      nonRetryable: true,
    });
    return rejectStart(waitForPaymentUpdate, failure);
  }
}

/** How an order ends. Every story step that stops the order says which, and endOrder() does the rest. */
type Outcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'cancelledByCustomer' }
  | { readonly kind: 'cancelledByOperator'; readonly error: unknown }
  | { readonly kind: 'refundedByOperator' }
  | { readonly kind: 'notPickedUpInTime' | 'notDeliveredInTime' }
  | ({ readonly kind: 'paymentFailed' } & CheckoutRefusal);

/**
 * The one ending: money back if it was taken, the reward given back if the order was not delivered, the final
 * state, the customer told, background work settled; then the order completes with its status or fails with why.
 * Every outcome takes these steps in this order, so recorded histories replay exactly as they ran.
 */
async function endOrder(order: Order, steps: OrderSteps, outcome: Outcome): Promise<OrderStatus> {
  if (outcome.kind === 'cancelledByOperator') {
    // Delivered or already over: nothing to undo, the workflow just ends cancelled.
    if (['delivered', 'cancelled', 'refunded', 'paymentFailed'].includes(order.state)) throw outcome.error;
    order.cancellation ??= { reason: 'cancelled by an operator', requestedAt: iso(Date.now()) };
  }
  const ending = endingOf(order, outcome);
  // A failure known at once is shown at once: a waiting checkout answers with it while the money goes back.
  if (ending.failure && ending.failureAt === 'start') order.fail(ending.failure);
  if (ending.refund) {
    if (order.state !== 'refunding') order.enter('refunding');
    await steps.refund(ending.refund.reason, ending.refund.why);
  }
  // Nothing was charged (or it was refunded just now): the order shows as failed while its reward goes back.
  if (ending.state === 'paymentFailed') order.enter('paymentFailed');
  await steps.returnReward();
  if (ending.failure && ending.failureAt === 'close') order.fail(ending.failure);
  if (ending.state === 'cancelled' || ending.state === 'refunded') order.enter(ending.state);
  if (ending.state === 'delivered') order.close();
  if (ending.cancelledBy) steps.metrics.cancelled(ending.cancelledBy);
  if (ending.notify) steps.notify(ending.notify.kind, ending.notify.reason);
  // A workflow cancelled by an operator does not wait for update handlers: a refundAndClose would wait for ever.
  await (outcome.kind === 'cancelledByOperator' ? steps.settleWork() : steps.settle());
  return ending.finish();
}

/** What differs between outcomes; endOrder() does the rest the same way for all. */
interface Ending {
  readonly state: 'delivered' | 'cancelled' | 'refunded' | 'paymentFailed';
  readonly failure?: OrderFailure;
  /**
   * When the failure is recorded: at the start (a checkout failure, a missed window), or as the order closes (an
   * operator's refund shows as "being refunded by an operator" until then).
   */
  readonly failureAt?: 'start' | 'close';
  readonly refund?: { readonly reason: string; readonly why: RefundReason };
  readonly cancelledBy?: 'customer' | 'operator';
  readonly notify?: { readonly kind: NotificationKind; readonly reason?: string };
  /** Once settled: the status the order completes with, or the failure it fails with. */
  readonly finish: () => OrderStatus;
}

function endingOf(order: Order, outcome: Outcome): Ending {
  const { orderId } = order;
  switch (outcome.kind) {
    case 'delivered':
      return {
        state: 'delivered',
        finish: () => {
          log.info('order completed', { orderId, rated: order.rating !== undefined });
          return order.status();
        },
      };
    case 'cancelledByCustomer': {
      const reason = order.cancellation?.reason;
      return {
        state: 'cancelled',
        refund: { reason: reason ? `cancelled: ${reason}` : 'cancelled by the customer', why: 'cancelledByCustomer' },
        cancelledBy: 'customer',
        notify: { kind: 'cancelled', reason },
        finish: () => {
          log.info('order cancelled', { orderId });
          return order.status();
        },
      };
    }
    case 'cancelledByOperator':
      return {
        state: 'cancelled',
        refund: { reason: 'order cancelled by an operator', why: 'cancelledByOperator' },
        cancelledBy: 'operator',
        notify: { kind: 'cancelled', reason: order.cancellation?.reason },
        finish: () => {
          throw outcome.error;
        },
      };
    case 'refundedByOperator': {
      const { operator, reason } = order.operatorClose ?? { operator: 'unknown', reason: 'refunded by an operator' };
      return {
        state: 'refunded',
        failure: { code: 'refundedByOperator', message: reason },
        failureAt: 'close',
        refund: { reason: `refunded by operator ${operator}: ${reason}`, why: 'refundedByOperator' },
        notify: { kind: 'refundedByOperator', reason },
        finish: () => {
          log.info('order refunded and closed by an operator', { orderId, operator });
          return refuse(OrderErrorType.refundedByOperator, `Refunded by operator ${operator}: ${reason}`);
        },
      };
    }
    case 'notPickedUpInTime':
    case 'notDeliveredInTime': {
      const code = outcome.kind;
      const message = code === 'notPickedUpInTime' ? 'Not picked up in time' : 'Not delivered in time';
      return {
        state: 'refunded',
        failure: { code, message },
        failureAt: 'start',
        refund: { reason: message, why: code },
        notify: { kind: code },
        finish: () => refuse(OrderErrorType[code], message),
      };
    }
    case 'paymentFailed': {
      const { failure, chargeUnknown } = outcome;
      return {
        state: 'paymentFailed',
        failure,
        failureAt: 'start',
        // The charge may have gone through with its reply lost: refunding by the charge's key settles it either way.
        ...(chargeUnknown ? { refund: { reason: 'payment outcome unknown', why: 'paymentOutcomeUnknown' } } : {}),
        notify: { kind: 'paymentFailed', reason: failure.message },
        finish: () =>
          refuse(OrderErrorType.paymentFailed, `Failed to charge customer for order ${orderId}: ${failure.message}`),
      };
    }
  }
}
