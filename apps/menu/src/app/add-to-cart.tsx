'use client';

import { useCart } from '../lib/cart';

export function AddToCart({ productId, productName }: { productId: string; productName: string }) {
  const cart = useCart();
  const quantity = cart.lines.find((line) => line.productId === productId)?.quantity ?? 0;
  return (
    <button
      type="button"
      className="button button-small"
      onClick={() => cart.add(productId)}
      aria-label={`Add ${productName} to cart${quantity > 0 ? `, ${quantity} in cart` : ''}`}
    >
      Add{quantity > 0 ? ` (${quantity})` : ''}
    </button>
  );
}
