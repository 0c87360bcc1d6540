'use client';

import { useState } from 'react';
import { MAX_QUANTITY_PER_LINE, isQuantity, useCart } from '../lib/cart';

/**
 * A line's quantity as the customer types it. What they type is theirs until it is a quantity a line may hold: an
 * emptied box is someone about to type a number (the line stays), 0 points at Remove (the one way a line leaves),
 * and above the limit says the limit instead of cutting the number down without a word. Leaving the box with
 * something it cannot hold puts back the cart's quantity and keeps the reason on screen.
 */
export function QuantityInput({ productId, productName }: { productId: string; productName: string }) {
  const cart = useCart();
  const quantity = cart.lines.find((line) => line.productId === productId)?.quantity ?? 0;
  const [draft, setDraft] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const id = `quantity-${productId}`;

  function change(text: string) {
    setDraft(text);
    const value = Number(text);
    if (text.trim() === '') return setProblem(undefined);
    if (isQuantity(value)) {
      setProblem(undefined);
      cart.setQuantity(productId, value);
    } else if (value === 0) {
      setProblem(`To take ${productName} out of the cart, press Remove.`);
    } else if (Number.isInteger(value) && value > MAX_QUANTITY_PER_LINE) {
      setProblem(`At most ${MAX_QUANTITY_PER_LINE} of one dish per order.`);
    } else {
      setProblem(`Enter a whole number from 1 to ${MAX_QUANTITY_PER_LINE}.`);
    }
  }

  function leave() {
    if (draft !== undefined && !isQuantity(Number(draft)) && problem) {
      setProblem(`${problem} Kept ${quantity}.`);
    }
    setDraft(undefined);
  }

  return (
    <>
      <input
        id={id}
        className="quantity"
        type="number"
        inputMode="numeric"
        min={1}
        max={MAX_QUANTITY_PER_LINE}
        step={1}
        value={draft ?? String(quantity)}
        onChange={(event) => change(event.target.value)}
        onBlur={leave}
        aria-invalid={problem && draft !== undefined ? true : undefined}
        aria-describedby={`line-total-${productId}${problem ? ` ${id}-problem` : ''}`}
      />
      {problem ? (
        <span id={`${id}-problem`} className="field-error cart-line-problem" role="status">
          {problem}
        </span>
      ) : null}
    </>
  );
}
