'use client';

import type { OrderPage, OrderSummary } from '@durable-delivery/api';
import { LocalTime, Notice, errorMessage, formatCents, httpStatusOf, stateLabel } from '@durable-delivery/ui';
import { Suspense, useState } from 'react';
import { trpc } from '../lib/trpc';
import { LIST_PAGE } from './list-page';

/** Lists refresh on their own, so a new order or a colleague's pick-up shows without a reload. */
const REFRESH_MS = 2_000;

type Feedback = { tone: 'success' | 'error'; orderId: string; text: string };

type Kind = 'waiting' | 'mine';

export function DeliveryBoard({
  driverName,
  firstPages,
}: {
  driverName: string;
  firstPages: Partial<Record<Kind, OrderPage>>;
}) {
  const [feedback, setFeedback] = useState<Feedback>();
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
            onFeedback={setFeedback}
          />
        </Suspense>
        <Suspense>
          <OrderList
            title="My deliveries"
            kind="mine"
            empty={`Nothing on the way. Pick up an order and it shows here, ${driverName}.`}
            firstPage={firstPages.mine}
            onFeedback={setFeedback}
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
  onFeedback,
}: {
  title: string;
  kind: Kind;
  empty: string;
  firstPage: OrderPage | undefined;
  onFeedback: (feedback: Feedback) => void;
}) {
  // One visibility query per page draws the whole list: no per-order call, however many orders are open. The first
  // page was rendered by the server with the HTML; the query refreshes it from there.
  const list = trpc.deliveries[kind].useInfiniteQuery(LIST_PAGE, {
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: REFRESH_MS,
    initialData: firstPage ? { pages: [firstPage], pageParams: [undefined] } : undefined,
  });
  const titleId = `${kind}-title`;
  return (
    <section className="stack" aria-labelledby={titleId} data-testid={`list-${kind}`}>
      <h2 id={titleId}>{title}</h2>
      {list.isPending ? (
        <div className="skeleton" aria-label={`Loading ${title.toLowerCase()}`} />
      ) : list.isError ? (
        <Notice tone="error" title="Could not load the list">
          {httpStatusOf(list.error) === 401 ? (
            <>
              Your session has ended. <a href="/signin">Sign in again</a>.
            </>
          ) : (
            errorMessage(list.error)
          )}
        </Notice>
      ) : (
        <>
          <ul className="table-list">
            {list.data.pages
              .flatMap((page) => page.orders)
              .map((order) => (
                <OrderCard key={order.orderId} order={order} kind={kind} onFeedback={onFeedback} />
              ))}
          </ul>
          {list.data.pages[0]?.orders.length === 0 ? <p className="muted">{empty}</p> : null}
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

function OrderCard({
  order,
  kind,
  onFeedback,
}: {
  order: OrderSummary;
  kind: Kind;
  onFeedback: (feedback: Feedback) => void;
}) {
  const address = order.deliveryAddress;
  return (
    <li className="card order-card" data-order-id={order.orderId}>
      <div className="stack-tight">
        <strong>{order.dishes ?? `Order ${order.orderId.slice(0, 8)}`}</strong>
        {/* The API sends the street, name and note only to the driver who picked the order up; the waiting list
            has the area. */}
        {address ? (
          <span>
            {address.street}, {address.postalCode} {address.city}
            {address.instructions ? <span className="muted"> — “{address.instructions}”</span> : null}
          </span>
        ) : order.area ? (
          <span>
            {order.area.postalCode} {order.area.city}
          </span>
        ) : null}
        <span className="muted">
          {order.customerName ? `For ${order.customerName} · ` : ''}
          {order.totalCents !== undefined ? formatCents(order.totalCents) : ''}
          {order.startedAt ? (
            <>
              {' · ordered '}
              <LocalTime iso={order.startedAt} />
            </>
          ) : null}
        </span>
        <span className="visually-hidden">{stateLabel(order.state)}</span>
      </div>
      {kind === 'waiting' ? (
        <CardAction order={order} action="pickUp" onFeedback={onFeedback} />
      ) : (
        <CardAction order={order} action="deliver" onFeedback={onFeedback} />
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
    onError: (error: unknown) => onFeedback({ tone: 'error', orderId: order.orderId, text: errorMessage(error) }),
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

function label(order: OrderSummary): string {
  return order.dishes ? `${order.dishes} (order ${order.orderId.slice(0, 8)})` : `order ${order.orderId.slice(0, 8)}`;
}
