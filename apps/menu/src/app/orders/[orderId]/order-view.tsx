'use client';

import type { LoyaltyLevel, OrderStatus } from '@durable-delivery/workflows';
import {
  LEVEL_LABELS,
  LocalTime,
  Notice,
  sentence,
  OrderTimeline,
  errorMessage,
  formatCents,
  httpStatusOf,
  isFinalState,
  stateLabel,
  stateTone,
} from '@durable-delivery/ui';
import Link from 'next/link';
import { shortOrderNumber } from '@durable-delivery/workflows/messages';
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useLiveNotifications } from '../../../lib/live-notifications';
import { trpc, type CustomerApiOutputs } from '../../../lib/trpc';

type OrderStatusAnswer = CustomerApiOutputs['orders']['order'];

/**
 * While the live stream is down (or the order is still being charged, which pushes nothing) the page asks instead:
 * often enough that a change shows within about a second. Each ask is a query on the order's workflow (a workflow
 * task on the worker, a billed action on Temporal Cloud), so only then.
 */
const LIVE_MS = 1_000;
const WAITING_FOR_RATING_MS = 2_000;
/** After a deadline passes the order moves on its own (refund, rating closed): one look shortly after it. */
const AFTER_DEADLINE_MS = 1_500;

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

function nextDeadline(status: OrderStatus | undefined): number | undefined {
  const { pickUpBy, deliverBy, rateBy } = status?.deadlines ?? {};
  const upcoming = [pickUpBy, deliverBy, rateBy]
    .filter((deadline): deadline is string => deadline !== undefined)
    .map(Date.parse)
    .filter((at) => at > Date.now());
  return upcoming.length ? Math.min(...upcoming) : undefined;
}

export function OrderView({ orderId, initialStatus }: { orderId: string; initialStatus?: OrderStatus }) {
  const utils = trpc.useUtils();
  // When each of this order's notifications reached the page, by kind: shown as sent before the next status says so.
  const [pushed, setPushed] = useState<ReadonlyMap<string, string>>(new Map());
  // The page follows its order over the tab's live stream: each notification about it (picked up, delivered,
  // refunded…) is a change, and only then is the order asked again. No stream, no push: it asks every second.
  const stream = useLiveNotifications((notification) => {
    if (notification.orderId !== orderId) return;
    setPushed((current) => new Map(current).set(notification.kind, notification.createdAt));
    void utils.orders.order.invalidate({ orderId });
  });
  const live = stream === 'open';
  const order = trpc.orders.order.useQuery(
    { orderId },
    // The server renders the first status with the HTML; from there the page follows the order live.
    // (Cast: tRPC types its answers as their JSON, which drops `readonly`; this is the same object, unserialized.)
    {
      initialData: initialStatus as OrderStatusAnswer | undefined,
      // Fresh as it comes: no second fetch of it the moment the page starts.
      staleTime: LIVE_MS,
      refetchInterval: (query) =>
        live && query.state.data?.state !== 'charging' ? false : refreshEvery(query.state.data),
    },
  );

  // Each time the stream (re)opens, one look: a change while it was down pushed nothing to this page.
  useEffect(() => {
    if (live) void utils.orders.order.invalidate({ orderId });
  }, [live, orderId, utils]);

  // Deadlines pass without a push when nothing changes but the clock (the rating form closes): one look after each.
  const deadline = nextDeadline(order.data);
  useEffect(() => {
    if (!live || deadline === undefined) return;
    const timer = setTimeout(
      () => void utils.orders.order.invalidate({ orderId }),
      deadline - Date.now() + AFTER_DEADLINE_MS,
    );
    return () => clearTimeout(timer);
  }, [live, deadline, orderId, utils]);

  const online = useOnline();

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
  const number = shortOrderNumber(status.orderId);
  return (
    <div className="stack" data-testid="order-page" data-live={stream}>
      {/* The first stop for Tab on the page: going back is harmless, cancelling is not. */}
      <p>
        <Link href="/orders">← My orders</Link>
      </p>
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
              <span className="muted" data-testid="order-number">
                Order {number}
              </span>
            </p>
          </div>
          {!online || order.isRefetchError ? (
            <StaleNotice offline={!online} asOf={order.dataUpdatedAt} live={live} />
          ) : null}
          <LostCancel status={status} />
          <OutcomeNotice status={status} />
          <div className="card">
            <OrderTimeline state={status.state} transitions={status.transitions} />
          </div>
          {status.state === 'paid' ? <CancelOrder status={status} /> : null}
          {status.state === 'delivered' ? <Rating status={status} /> : null}
          <Notifications status={status} pushed={pushed} />
        </section>
        <OrderDetails status={status} />
      </div>
    </div>
  );
}

/** navigator.onLine, kept current; on the server (and while hydrating) the page is taken to be online. */
function useOnline(): boolean {
  return useSyncExternalStore(
    (changed) => {
      window.addEventListener('online', changed);
      window.addEventListener('offline', changed);
      return () => {
        window.removeEventListener('online', changed);
        window.removeEventListener('offline', changed);
      };
    },
    () => navigator.onLine,
    () => true,
  );
}

function StaleNotice({ offline, asOf, live }: { offline: boolean; asOf: number; live: boolean }) {
  const when = <LocalTime iso={new Date(asOf).toISOString()} />;
  return (
    <div data-testid="stale">
      <Notice tone="error" title={offline ? 'You are offline' : 'Could not refresh the order'}>
        This is your order as of {when}; it may have changed since.{' '}
        {offline ? 'It updates by itself when you are back online.' : live ? '' : 'Trying again…'}
      </Notice>
    </div>
  );
}

/** Who has the order, for the customer: the driver's name as recorded at pick-up, never an account id. */
function driverOf(status: OrderStatus): string {
  return status.driverName ?? 'Your driver';
}

function pickedUpAt(status: OrderStatus): string | undefined {
  return status.transitions.find((transition) => transition.state === 'pickedUp')?.at;
}

const CANCEL_ATTEMPT_KEY = 'durable-delivery.cancel-attempted.';

/**
 * Cancel loses to a pick-up when both happen at once. The refusal is an answer to one click; what stays is worked
 * out from the order itself — who picked it up and when — once this browser has tried to cancel it, so a refresh or
 * a later visit still says why the order was not cancelled.
 */
function LostCancel({ status }: { status: OrderStatus }) {
  const [attempted, setAttempted] = useState(false);
  useEffect(() => {
    setAttempted(window.localStorage.getItem(CANCEL_ATTEMPT_KEY + status.orderId) !== null);
  }, [status.orderId, status.state]);
  const at = pickedUpAt(status);
  if (!attempted || !at || status.state === 'cancelled') return null;
  return (
    <div data-testid="cancel-lost">
      <Notice tone="info" title="Too late to cancel">
        {driverOf(status)} had already picked up order {shortOrderNumber(status.orderId)} at <LocalTime iso={at} />, so
        it could not be cancelled. {status.state === 'pickedUp' ? 'It is on its way to you.' : ''}
      </Notice>
    </div>
  );
}

function OutcomeNotice({ status }: { status: OrderStatus }) {
  const deadline = status.deadlines.pickUpBy ?? status.deadlines.deliverBy;
  if (status.failure) {
    return (
      <Notice tone="error" title={stateLabel(status.state)}>
        {sentence(status.failure.message)}
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
    const at = pickedUpAt(status);
    return (
      <Notice tone="info">
        {status.state === 'paid' ? (
          'A driver will pick it up'
        ) : (
          <>
            {driverOf(status)} picked it up
            {at ? (
              <>
                {' '}
                at <LocalTime iso={at} />
              </>
            ) : null}{' '}
            and should arrive
          </>
        )}{' '}
        by <LocalTime iso={deadline} />. If not, you get a full refund automatically.
      </Notice>
    );
  }
  return null;
}

/**
 * Cancelling asks first: the button opens a confirmation whose safe answer (keep the order) takes the focus, so
 * neither a stray click nor a stray Enter cancels a meal.
 */
function CancelOrder({ status }: { status: OrderStatus }) {
  const { orderId } = status;
  const utils = trpc.useUtils();
  const [confirming, setConfirming] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const cancel = trpc.orders.cancel.useMutation({
    onMutate: () => window.localStorage.setItem(CANCEL_ATTEMPT_KEY + orderId, new Date().toISOString()),
    onSuccess: (next) => {
      window.localStorage.removeItem(CANCEL_ATTEMPT_KEY + orderId);
      utils.orders.order.setData({ orderId }, next);
    },
    // Refused (a driver was quicker): the order has moved on, and the page shows where it is and why.
    onError: () => void utils.orders.order.invalidate({ orderId }),
  });
  useEffect(() => {
    if (confirming) keep.current?.focus();
  }, [confirming]);

  const close = () => {
    setConfirming(false);
    // Back where the person was, not at the top of the page.
    requestAnimationFrame(() => ask.current?.focus());
  };
  return (
    <div className="stack">
      {confirming ? (
        <div
          className="card stack"
          role="group"
          aria-labelledby="cancel-title"
          data-testid="cancel-confirmation"
          onKeyDown={(event) => {
            if (event.key === 'Escape') close();
          }}
        >
          <p id="cancel-title">
            <strong>Cancel order {shortOrderNumber(orderId)}?</strong> You get {formatCents(status.totalCents)} back on
            your card.
          </p>
          <div className="row">
            <button
              type="button"
              className="button"
              disabled={cancel.isPending}
              onClick={() => {
                setConfirming(false);
                cancel.mutate({ orderId, reason: 'Cancelled by the customer' });
              }}
            >
              Yes, cancel the order
            </button>
            <button type="button" className="button button-secondary" ref={keep} onClick={close}>
              Keep my order
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          className="button button-secondary"
          ref={ask}
          disabled={cancel.isPending}
          onClick={() => setConfirming(true)}
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel order'}
        </button>
      )}
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

function Notifications({ status, pushed }: { status: OrderStatus; pushed: ReadonlyMap<string, string> }) {
  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      {/* Polite live region: new notifications are read out as they arrive. */}
      <ul className="table-list" aria-live="polite" data-testid="notifications">
        {status.notifications.length === 0 ? <li className="muted">No notifications yet.</li> : null}
        {status.notifications.map((notification) => {
          const sentAt = notification.sentAt ?? pushed.get(notification.kind);
          return (
            <li key={notification.kind} className="card notification" data-kind={notification.kind}>
              <p>{notification.message}</p>
              <p className="muted">
                {sentAt ? (
                  <>
                    Sent <LocalTime iso={sentAt} />
                  </>
                ) : notification.failed ? (
                  'Could not be sent as a push notification'
                ) : (
                  'Sending…'
                )}
              </p>
            </li>
          );
        })}
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
