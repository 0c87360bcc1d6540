import type { Metadata } from 'next';
import { OrderHistory } from './order-history';

export const metadata: Metadata = { title: 'My orders' };

export default function OrdersPage() {
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">My orders</h1>
      <OrderHistory />
    </section>
  );
}
