'use client';

import type { OrderPage } from '@durable-delivery/api';
import { LocalTime, Notice, errorMessage, formatCents, stateLabel, stateTone } from '@durable-delivery/ui';
import { shortOrderNumber } from '@durable-delivery/workflows/messages';
import Link from 'next/link';
import { trpc } from '../../lib/trpc';
import { HISTORY_PAGE } from './history-page';

/**
 * Read from Temporal visibility by the customer's identity (the CustomerId search attribute), not from browser
 * memory: it survives a reload, a new tab and a restarted app. Open orders first, newest first.
 */
export function OrderHistory({ firstPage }: { firstPage?: OrderPage }) {
  const history = trpc.orders.myOrders.useInfiniteQuery(HISTORY_PAGE, {
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: 5_000,
    // Rendered by the server with the HTML; the query refreshes it from there.
    initialData: firstPage ? { pages: [firstPage], pageParams: [undefined] } : undefined,
  });

  if (history.isPending) return <div className="skeleton" aria-label="Loading your orders" />;
  if (history.isError)
    return (
      <Notice tone="error" title="Could not load your orders">
        {errorMessage(history.error)}
      </Notice>
    );

  const orders = history.data.pages.flatMap((page) => page.orders);
  if (orders.length === 0) {
    return (
      <div className="card stack">
        <p>You have not ordered anything yet.</p>
        <Link className="button" href="/">
          See the menu
        </Link>
      </div>
    );
  }
  return (
    <div className="stack">
      <ul className="table-list" data-testid="order-history">
        {orders.map((order) => (
          <li key={order.orderId} className="card order-row" data-order-id={order.orderId}>
            <div className="stack-tight">
              {/* Not prefetched: a customer opens one order of the list, and prefetching each visible one's page
                  while this one starts costs the phone more than the one it opens saves. */}
              <Link href={`/orders/${order.orderId}`} className="order-link" prefetch={false}>
                {order.dishes ?? `Order ${shortOrderNumber(order.orderId)}`}
              </Link>
              <span className="muted">
                {order.startedAt ? <LocalTime iso={order.startedAt} withDate /> : null}
                {order.totalCents !== undefined ? ` · ${formatCents(order.totalCents)}` : ''}
              </span>
            </div>
            <span className={`badge badge-${stateTone(order.state)}`}>{stateLabel(order.state)}</span>
          </li>
        ))}
      </ul>
      {history.hasNextPage ? (
        <button
          type="button"
          className="button button-secondary"
          disabled={history.isFetchingNextPage}
          onClick={() => void history.fetchNextPage()}
        >
          {history.isFetchingNextPage ? 'Loading…' : 'Show older orders'}
        </button>
      ) : null}
    </div>
  );
}
