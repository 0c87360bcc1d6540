import { Notice } from '@durable-delivery/ui';
import Link from 'next/link';

/** A missing order and someone else's look the same: nothing tells a guessed link apart. */
export default function OrderNotFound() {
  return (
    <div className="stack">
      <h1>Order not found</h1>
      <Notice tone="error">There is no order with this link in your account.</Notice>
      <p>
        <Link href="/orders">See my orders</Link>
      </p>
    </div>
  );
}
