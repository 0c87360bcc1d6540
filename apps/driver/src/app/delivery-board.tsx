'use client';

import type { EndedRefusal, OrderPage, OrderSummary } from '@durable-delivery/api';
import { ENDINGS, endedRefusalLead } from '@durable-delivery/api/order-ending';
import { LocalTime, Notice, errorMessage, formatCents, httpStatusOf, stateLabel } from '@durable-delivery/ui';
import { Suspense, useState, useSyncExternalStore, type ReactNode } from 'react';
import { trpc } from '../lib/trpc';
import { withAcknowledged, writeAcknowledged } from '../lib/acknowledged';
import { Countdown } from './countdown';
import { LIST_PAGE } from './list-page';
import { useSigningOut } from './providers';

/** Lists refresh on their own, so a new order or a colleague's pick-up shows without a reload. */
const REFRESH_MS = 2_000;

type Feedback = { tone: 'success' | 'error'; orderId: string; text: ReactNode };

type Kind = 'waiting' | 'mine';

interface BoardActions {
  onFeedback: (feedback: Feedback) => void;
  onAcknowledge: (orderId: string) => void;
}

export function DeliveryBoard({
  driverId,
  driverName,
  firstPages,
  acknowledged: firstAcknowledged,
}: {
  driverId: string;
  driverName: string;
  firstPages: Partial<Record<Kind, OrderPage>>;
  /** The ended orders this driver has already acknowledged (from their cookie, read by the server). */
  acknowledged: string[];
}) {
  const [feedback, setFeedback] = useState<Feedback>();
  const [acknowledged, setAcknowledged] = useState(firstAcknowledged);
  const actions: BoardActions = {
    onFeedback: setFeedback,
    onAcknowledge: (orderId) => {
      const next = withAcknowledged(acknowledged, orderId);
      writeAcknowledged(driverId, next);
      setAcknowledged(next);
    },
  };
  return (
    <div className="stack">
      <h1>Deliveries</h1>
      <div aria-live="polite" data-testid="feedback">
        {feedback ? (
          <Notice tone={feedback.tone} title={feedback.tone === 'error' ? 'That did not work' : undefined}>
            {feedback.text}
          </Notice>
        ) : null}
      </div>
      {/* One Suspense boundary per list: each hydrates as its own piece of work, with a turn for the browser in
          between, instead of both lists' dozens of cards in one long task. Nothing in them suspends. */}
      <div className="two-columns board">
        <Suspense>
          <OrderList
            title="Waiting for pickup"
            kind="waiting"
            empty="No order is waiting for pickup right now. New orders appear here by themselves."
            firstPage={firstPages.waiting}
            hidden={[]}
            actions={actions}
          />
        </Suspense>
        <Suspense>
          <OrderList
            title="My deliveries"
            kind="mine"
            empty={`Nothing on the way. Pick up an order and it shows here, ${driverName}.`}
            firstPage={firstPages.mine}
            hidden={acknowledged}
            actions={actions}
          />
        </Suspense>
      </div>
    </div>
  );
}

function OrderList({
  title,
  kind,
  empty,
  firstPage,
  hidden,
  actions,
}: {
  title: string;
  kind: Kind;
  empty: string;
  firstPage: OrderPage | undefined;
  /** Orders not to show: the ended ones the driver acknowledged. */
  hidden: readonly string[];
  actions: BoardActions;
}) {
  // One visibility query per page draws the whole list: no per-order call, however many orders are open. The first
  // page was rendered by the server with the HTML; the query refreshes it from there.
  const { signingOut } = useSigningOut();
  const list = trpc.deliveries[kind].useInfiniteQuery(LIST_PAGE, {
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: REFRESH_MS,
    // Signing out: no request of the ending session (see sign-out.tsx).
    enabled: !signingOut,
    initialData: firstPage ? { pages: [firstPage], pageParams: [undefined] } : undefined,
  });
  const titleId = `${kind}-title`;
  const orders = list.data?.pages
    .flatMap((page) => page.orders)
    .filter((order) => !(order.state !== 'pickedUp' && hidden.includes(order.orderId)));
  return (
    <section className="stack" aria-labelledby={titleId} data-testid={`list-${kind}`}>
      <h2 id={titleId}>{title}</h2>
      {list.isPending ? (
        <div className="skeleton" aria-label={`Loading ${title.toLowerCase()}`} />
      ) : !orders ? (
        <Notice tone="error" title="Could not load the list">
          <ListError error={list.error} />
        </Notice>
      ) : (
        <>
          <Staleness
            title={title}
            // Offline, TanStack Query pauses instead of failing: the list is just as stale.
            stale={list.isError || list.fetchStatus === 'paused'}
            updatedAt={list.dataUpdatedAt}
            error={list.error}
            retrying={list.isFetching}
            onRetry={() => void list.refetch()}
          />
          <ul className="table-list">
            {orders.map((order) => (
              <OrderCard key={order.orderId} order={order} kind={kind} actions={actions} />
            ))}
          </ul>
          {orders.length === 0 ? <p className="muted">{empty}</p> : null}
          {list.hasNextPage ? (
            <button
              type="button"
              className="button button-secondary"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

function ListError({ error }: { error: unknown }) {
  return httpStatusOf(error) === 401 ? (
    <>
      Your session has ended. <a href="/signin">Sign in again</a>.
    </>
  ) : (
    <>{errorMessage(error)}</>
  );
}

/**
 * A list that could not be refreshed keeps its cards (they are the driver's best knowledge), says since when they
 * are old, and keeps trying: the list's refresh interval goes on, and the button asks at once.
 */
function Staleness({
  title,
  stale,
  updatedAt,
  error,
  retrying,
  onRetry,
}: {
  title: string;
  stale: boolean;
  updatedAt: number;
  error: unknown;
  retrying: boolean;
  onRetry: () => void;
}) {
  // Never during hydration: the server drew the list fresh, and a browser that went offline before the page hydrated
  // (TanStack Query then pauses at once) would otherwise draw a notice the server's HTML does not have (React #418).
  const hydrated = useSyncExternalStore(noSubscription, whenHydrated, onTheServer);
  if (!stale || !hydrated) return null;
  return (
    <div data-testid="stale">
      <Notice tone="error" title={`${title}: not up to date`}>
        {httpStatusOf(error) === 401 ? (
          <ListError error={error} />
        ) : (
          <>
            Cannot reach the server, so this list may be out of date
            {updatedAt > 0 ? (
              <>
                {' '}
                (last updated <LocalTime iso={new Date(updatedAt).toISOString()} />)
              </>
            ) : null}
            . Trying again every few seconds.{' '}
            <button type="button" className="button button-secondary" disabled={retrying} onClick={onRetry}>
              {retrying ? 'Trying…' : 'Try again now'}
            </button>
          </>
        )}
      </Notice>
    </div>
  );
}

const noSubscription = () => () => undefined;
const whenHydrated = () => true;
const onTheServer = () => false;

function OrderCard({ order, kind, actions }: { order: OrderSummary; kind: Kind; actions: BoardActions }) {
  const address = order.deliveryAddress;
  const held = kind === 'mine' && order.state !== 'pickedUp';
  return (
    <li className={held ? 'card order-card order-card-ended' : 'card order-card'} data-order-id={order.orderId}>
      <div className="stack-tight">
        <strong className="wrap-anywhere">{order.dishes ?? `Order ${order.orderNumber}`}</strong>
        {/* The API sends the street, name and note only to the driver who picked the order up; the waiting list
            has the area. */}
        {address ? (
          <span className="wrap-anywhere">
            {address.street}, {address.postalCode} {address.city}
            {address.instructions ? <span className="muted"> — “{address.instructions}”</span> : null}
          </span>
        ) : order.area ? (
          <span className="wrap-anywhere">
            {order.area.postalCode} {order.area.city}
          </span>
        ) : null}
        <span className="muted wrap-anywhere">
          {`Order ${order.orderNumber}`}
          {order.customerName ? ` · for ${order.customerName}` : ''}
          {order.totalCents !== undefined ? ` · ${formatCents(order.totalCents)}` : ''}
          {order.startedAt ? (
            <>
              {' · ordered '}
              <LocalTime iso={order.startedAt} />
            </>
          ) : null}
        </span>
        {held ? (
          <span className="order-ending" data-testid="order-ending">
            <strong>{order.ended ? ENDINGS[order.ended.ending].label : stateLabel(order.state)}</strong>
            {order.ended ? (
              <>
                {' at '}
                <LocalTime iso={order.ended.at} />
              </>
            ) : null}
            . Do not deliver it.
          </span>
        ) : order.deadline ? (
          <span data-testid="deadline">
            {kind === 'waiting' ? 'Pick up by ' : 'Deliver by '}
            <LocalTime iso={order.deadline} />
            {' · '}
            <Countdown
              deadline={order.deadline}
              closed={kind === 'waiting' ? 'pickup window closed' : 'delivery window closed'}
            />
          </span>
        ) : null}
        <span className="visually-hidden">{stateLabel(order.state)}</span>
      </div>
      {held ? (
        <button
          type="button"
          className="button button-secondary"
          onClick={() => actions.onAcknowledge(order.orderId)}
          aria-label={`Acknowledge ${label(order)}: remove it from my deliveries`}
        >
          Acknowledge
        </button>
      ) : (
        <CardAction order={order} action={kind === 'waiting' ? 'pickUp' : 'deliver'} onFeedback={actions.onFeedback} />
      )}
    </li>
  );
}

const ACTIONS = {
  pickUp: {
    idle: 'Pick up',
    pending: 'Picking up…',
    aria: 'Pick up {order}',
    done: 'Picked up {order}. Deliver it next.',
  },
  deliver: {
    idle: 'Delivered',
    pending: 'Saving…',
    aria: 'Mark {order} delivered',
    done: 'Delivered {order}. Thank you!',
  },
} as const;

/**
 * The one action a card offers, with its own mutation: a card on either list can only be picked up or delivered, so
 * each card holds one mutation observer, not one per action (a full list is dozens of cards, each hydrated).
 */
function CardAction({
  order,
  action,
  onFeedback,
}: {
  order: OrderSummary;
  action: keyof typeof ACTIONS;
  onFeedback: (feedback: Feedback) => void;
}) {
  const utils = trpc.useUtils();
  const text = ACTIONS[action];
  const mutation = trpc.deliveries[action].useMutation({
    onSettled: () => Promise.all([utils.deliveries.waiting.invalidate(), utils.deliveries.mine.invalidate()]),
    onError: (error: unknown) => onFeedback({ tone: 'error', orderId: order.orderId, text: refusalText(error) }),
    onSuccess: () =>
      onFeedback({ tone: 'success', orderId: order.orderId, text: text.done.replace('{order}', label(order)) }),
  });
  return (
    <button
      type="button"
      className="button"
      disabled={mutation.isPending}
      onClick={() => mutation.mutate({ orderId: order.orderId })}
      aria-label={text.aria.replace('{order}', label(order))}
    >
      {mutation.isPending ? text.pending : text.idle}
    </button>
  );
}

/** A refusal as the driver reads it: an ended order's with its time in the driver's own zone. */
function refusalText(error: unknown): ReactNode {
  const ended = (error as { data?: { ended?: EndedRefusal } } | null)?.data?.ended;
  if (!ended) return errorMessage(error);
  return (
    <span data-testid="ended-refusal">
      {endedRefusalLead(ended)} <LocalTime iso={ended.at} />.
    </span>
  );
}

function label(order: OrderSummary): string {
  return order.dishes ? `${order.dishes} (order ${order.orderNumber})` : `order ${order.orderNumber}`;
}
