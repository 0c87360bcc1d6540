import type { Metadata } from 'next';
import { customerApi } from '../../server/api';
import { HISTORY_PAGE } from './history-page';
import { OrderHistory } from './order-history';

export const metadata: Metadata = { title: 'My orders' };

export default async function OrdersPage() {
  // The first page comes with the HTML; if the server cannot read it, the client asks and shows what went wrong.
  const firstPage = await (await customerApi()).orders.myOrders(HISTORY_PAGE).catch(() => undefined);
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">My orders</h1>
      <OrderHistory firstPage={firstPage} />
    </section>
  );
}
