import type { Metadata } from 'next';
import { customerApi } from '../../../server/api';
import { OrderView } from './order-view';

export const metadata: Metadata = { title: 'Your order' };

export default async function OrderPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await params;
  // The order's status comes with the HTML. Not found (or not this customer's), or a fault: the client's own query
  // answers that, with the message the page shows for it.
  const status = await (await customerApi()).orders.order({ orderId }).catch(() => undefined);
  return <OrderView orderId={orderId} initialStatus={status} />;
}
