'use client';

import type { LoyaltyLevel, OrderStatus } from '@durable-delivery/workflows';
import {
  LEVEL_LABELS,
  LocalTime,
  Notice,
  OrderTimeline,
  errorMessage,
  formatCents,
  httpStatusOf,
  isFinalState,
  stateLabel,
  stateTone,
} from '@durable-delivery/ui';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { trpc, type CustomerApiOutputs } from '../../../lib/trpc';

type OrderStatusAnswer = CustomerApiOutputs['orders']['order'];

/**
 * Live enough that a change shows within about a second, for as long as anything can still change. Each refresh is a
 * query on the order's workflow (a workflow task on the worker, a billed action on Temporal Cloud), so not faster.
 */
const LIVE_MS = 1_000;
const WAITING_FOR_RATING_MS = 2_000;

function refreshEvery(status: OrderStatus | undefined): number | false {
  if (!status) return LIVE_MS;
  if (!isFinalState(status.state)) return LIVE_MS;
  // Delivered: the rating prompt is still to come, and the form closes when its window does.
  if (status.state === 'delivered' && !status.rating && !windowClosed(status.deadlines.rateBy))
    return WAITING_FOR_RATING_MS;
  // The last notifications (a refund, a cancellation) may still be on their way.
  if (status.notifications.some((notification) => !notification.sentAt && !notification.failed)) return LIVE_MS;
  return false;
}

function windowClosed(deadline: string | undefined): boolean {
  return deadline !== undefined && Date.parse(deadline) <= Date.now();
}

export function OrderView({ orderId, initialStatus }: { orderId: string; initialStatus?: OrderStatus }) {
  const order = trpc.orders.order.useQuery(
    { orderId },
    // The server renders the first status with the HTML; from there the page follows the order live.
    // (Cast: tRPC types its answers as their JSON, which drops `readonly`; this is the same object, unserialized.)
    {
      initialData: initialStatus as OrderStatusAnswer | undefined,
      // Fresh as it comes: no second fetch of it the moment the page starts, the interval takes over from there.
      staleTime: LIVE_MS,
      refetchInterval: (query) => refreshEvery(query.state.data),
    },
  );

  if (order.isPending) {
    return (
      <div className="stack" aria-busy="true">
        <h1>Your order</h1>
        <div className="skeleton" aria-label="Loading your order" />
      </div>
    );
  }
  if (order.isError && !order.data) {
    const status = httpStatusOf(order.error);
    return (
      <div className="stack">
        <h1>{status === 404 || status === 400 ? 'Order not found' : 'Could not load the order'}</h1>
        <Notice tone="error">
          {status === 404 || status === 400
            ? 'There is no order with this link in your account.'
            : errorMessage(order.error)}
        </Notice>
        <Link href="/orders">See my orders</Link>
      </div>
    );
  }
  const status = order.data;
  return (
    <div className="two-columns">
      <section className="stack" aria-labelledby="order-title">
        <div>
          <h1 id="order-title">Your order</h1>
          <p className="row">
            <span
              className={`badge badge-${stateTone(status.state)}`}
              data-testid="order-state"
              data-state={status.state}
              role="status"
            >
              {stateLabel(status.state)}
            </span>
            <span className="muted">Order {status.orderId.slice(0, 8)}</span>
          </p>
        </div>
        <OutcomeNotice status={status} />
        <div className="card">
          <OrderTimeline state={status.state} transitions={status.transitions} />
        </div>
        {status.state === 'paid' ? <CancelOrder orderId={orderId} /> : null}
        {status.state === 'delivered' ? <Rating status={status} /> : null}
        <Notifications status={status} />
      </section>
      <OrderDetails status={status} />
    </div>
  );
}

function OutcomeNotice({ status }: { status: OrderStatus }) {
  const deadline = status.deadlines.pickUpBy ?? status.deadlines.deliverBy;
  if (status.failure) {
    return (
      <Notice tone="error" title={stateLabel(status.state)}>
        {status.failure.message}
        {status.refundedCents ? ` We refunded ${formatCents(status.refundedCents)}.` : ''}
      </Notice>
    );
  }
  if (status.state === 'cancelled') {
    return (
      <Notice tone="info" title="Order cancelled">
        {status.refundedCents ? `We refunded ${formatCents(status.refundedCents)}.` : 'Nothing was charged.'}
      </Notice>
    );
  }
  if (deadline && !isFinalState(status.state)) {
    return (
      <Notice tone="info">
        {status.state === 'paid' ? 'A driver will pick it up' : 'Your driver should arrive'} by{' '}
        <LocalTime iso={deadline} />. If not, you get a full refund automatically.
      </Notice>
    );
  }
  return null;
}

function CancelOrder({ orderId }: { orderId: string }) {
  const utils = trpc.useUtils();
  const cancel = trpc.orders.cancel.useMutation({
    onSuccess: (status) => utils.orders.order.setData({ orderId }, status),
  });
  return (
    <div className="stack">
      <button
        type="button"
        className="button button-secondary"
        disabled={cancel.isPending}
        onClick={() => cancel.mutate({ orderId, reason: 'Cancelled by the customer' })}
      >
        {cancel.isPending ? 'Cancelling…' : 'Cancel order'}
      </button>
      {cancel.isError ? (
        <Notice tone="error" title="Could not cancel">
          {errorMessage(cancel.error)}
        </Notice>
      ) : null}
    </div>
  );
}

function Rating({ status }: { status: OrderStatus }) {
  const utils = trpc.useUtils();
  const [stars, setStars] = useState<number>();
  const [problem, setProblem] = useState<string>();
  const rate = trpc.orders.rate.useMutation({
    onSuccess: (next) => utils.orders.order.setData({ orderId: status.orderId }, next),
  });

  if (status.rating) {
    return (
      <Notice tone="success" title="Thanks for rating your meal">
        You gave it {status.rating.stars} of 5 stars.
      </Notice>
    );
  }
  if (windowClosed(status.deadlines.rateBy)) return null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!stars) {
      setProblem('Choose from 1 to 5 stars.');
      return;
    }
    setProblem(undefined);
    const comment = new FormData(event.currentTarget).get('comment');
    rate.mutate({
      orderId: status.orderId,
      stars,
      comment: typeof comment === 'string' && comment.trim() ? comment : undefined,
    });
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="rate-title">
      <h2 id="rate-title">Rate your meal</h2>
      <fieldset className="row" aria-describedby={problem ? 'stars-error' : undefined}>
        <legend className="visually-hidden">Stars</legend>
        {[1, 2, 3, 4, 5].map((value) => (
          <label key={value} className="choice">
            <input type="radio" name="stars" value={value} checked={stars === value} onChange={() => setStars(value)} />
            {value} {value === 1 ? 'star' : 'stars'}
          </label>
        ))}
      </fieldset>
      {problem ? (
        <span id="stars-error" className="field-error">
          {problem}
        </span>
      ) : null}
      <div className="field">
        <label htmlFor="rating-comment">Comment (optional)</label>
        <textarea id="rating-comment" name="comment" maxLength={1000} rows={3} />
      </div>
      <button type="submit" className="button" disabled={rate.isPending}>
        {rate.isPending ? 'Sending…' : 'Send rating'}
      </button>
      {rate.isError ? (
        <Notice tone="error" title="Could not send the rating">
          {errorMessage(rate.error)}
        </Notice>
      ) : null}
    </form>
  );
}

function Notifications({ status }: { status: OrderStatus }) {
  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      {/* Polite live region: new notifications are read out as they arrive. */}
      <ul className="table-list" aria-live="polite" data-testid="notifications">
        {status.notifications.length === 0 ? <li className="muted">No notifications yet.</li> : null}
        {status.notifications.map((notification) => (
          <li key={notification.kind} className="card notification" data-kind={notification.kind}>
            <p>{notification.message}</p>
            <p className="muted">
              {notification.sentAt ? (
                <>
                  Sent <LocalTime iso={notification.sentAt} />
                </>
              ) : notification.failed ? (
                'Could not be sent as a push notification'
              ) : (
                'Sending…'
              )}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function OrderDetails({ status }: { status: OrderStatus }) {
  const { perks } = status;
  return (
    <aside className="card stack" aria-labelledby="details-title">
      <h2 id="details-title">Order details</h2>
      <ul className="table-list">
        {status.items.map((line) => (
          <li key={line.productId} className="row">
            <span>
              {line.quantity}× {line.name}
            </span>
            <span className="cart-line-total">{formatCents(line.lineTotalCents)}</span>
          </li>
        ))}
      </ul>
      <dl className="totals">
        <dt>Subtotal</dt>
        <dd>{formatCents(status.subtotalCents)}</dd>
        <dt>Delivery</dt>
        <dd data-testid="order-delivery">
          {perks?.deliveryFeeWaivedCents ? (
            <>
              <s aria-label={`instead of ${formatCents(perks.deliveryFeeWaivedCents)}`}>
                {formatCents(perks.deliveryFeeWaivedCents)}
              </s>{' '}
              Free with your pass
            </>
          ) : (
            formatCents(status.deliveryFeeCents)
          )}
        </dd>
        {perks?.discountCents ? (
          <>
            <dt>
              {perks.reward ? `${LEVEL_LABELS[perks.reward.level as LoyaltyLevel] ?? 'Loyalty'} reward` : 'Reward'}
            </dt>
            <dd data-testid="order-discount">−{formatCents(perks.discountCents)}</dd>
          </>
        ) : null}
        <dt>Total</dt>
        <dd className="total" data-testid="order-total">
          {formatCents(status.totalCents)}
        </dd>
      </dl>
      {perks?.reward?.returned ? <p className="muted">The reward was given back: use it on your next order.</p> : null}
      {status.loyalty ? (
        <p className="perk" data-testid="points-earned">
          You earned {status.loyalty.pointsEarned} points. <Link href="/rewards">See your rewards</Link>
        </p>
      ) : null}
      <div>
        <h3>Delivering to</h3>
        <p>
          {status.customerName ? (
            <>
              {status.customerName}
              <br />
            </>
          ) : null}
          {status.deliveryAddress.street}
          <br />
          {status.deliveryAddress.postalCode} {status.deliveryAddress.city}
        </p>
        {status.deliveryAddress.instructions ? <p className="muted">“{status.deliveryAddress.instructions}”</p> : null}
      </div>
    </aside>
  );
}
