import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { customerApi } from '../../../server/api';
import { OrderView } from './order-view';

/** The caller's TRPCError codes for "no such order of yours" (a malformed id is one nobody has). */
const NOT_THERE: ReadonlySet<unknown> = new Set(['NOT_FOUND', 'BAD_REQUEST']);

export const metadata: Metadata = { title: 'Your order' };

export default async function OrderPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await params;
  // The order's status comes with the HTML. A missing order and another customer's get the same not-found page,
  // from here, at once (with a 404); a fault leaves it to the client's own query, which shows it and retries.
  const status = await (await customerApi()).orders.order({ orderId }).catch((error: unknown) => {
    if (NOT_THERE.has((error as { code?: unknown }).code)) notFound();
    return undefined;
  });
  return <OrderView orderId={orderId} initialStatus={status} />;
}
