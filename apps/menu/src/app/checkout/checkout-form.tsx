'use client';

import {
  POSTAL_FORMAT,
  TEXT_LIMITS,
  createOrderInputSchema,
  type CreateOrderInput,
} from '@durable-delivery/api/schemas';
import { formatCents } from '@durable-delivery/catalog';
import { Notice, errorMessage, fieldErrorsOf } from '@durable-delivery/ui';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useCart } from '../../lib/cart';
import { forgetPendingId, pendingId } from '../../lib/client-ids';
import { PAYMENT_METHODS } from '../../lib/payment-methods';
import { trpc } from '../../lib/trpc';
import { RewardChoice, type CheckoutPerks } from './reward-choice';

/** The order id is made here, before the request (see lib/client-ids): a retried checkout finds the same order. */
const PENDING_ORDER_KEY = 'durable-delivery.pending-order-id';

type Fields = Record<string, string[]>;

/** Why checkout did not go through: a declined card, or a reward that could no longer be applied. */
interface Refusal {
  readonly title: string;
  readonly reason: string;
}

export function CheckoutForm({ perks, totalCents }: { perks: CheckoutPerks; totalCents: number }) {
  const cart = useCart();
  const router = useRouter();
  const [fieldErrors, setFieldErrors] = useState<Fields>({});
  const [declined, setDeclined] = useState<Refusal>();
  const createOrder = trpc.orders.createOrder.useMutation();
  const utils = trpc.useUtils();
  const status = useRef<HTMLDivElement>(null);

  // A decline or a failed request is told beside the button just pressed, and focus moves there: the customer reads
  // why, and a screen reader says it, without hunting for a notice elsewhere on the page.
  const failed = declined !== undefined || createOrder.isError;
  useEffect(() => {
    if (failed) status.current?.focus();
  }, [failed, declined]);

  // Focus the first problem, so keyboard and screen-reader users land on it.
  useEffect(() => {
    const first = Object.keys(fieldErrors)[0];
    if (first) document.getElementById(fieldId(first))?.focus();
  }, [fieldErrors]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (createOrder.isPending) return;
    setDeclined(undefined);
    const form = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' && value.trim() !== '' ? value : undefined;
    };
    const input: CreateOrderInput = {
      orderId: pendingId(PENDING_ORDER_KEY),
      customerName: text('customerName'),
      items: cart.lines.map((line) => ({ productId: line.productId, quantity: line.quantity })),
      deliveryAddress: {
        street: text('street') ?? '',
        city: text('city') ?? '',
        postalCode: text('postalCode') ?? '',
        instructions: text('instructions'),
      },
      paymentMethod: text('paymentMethod') ?? '',
      // Only the reward's id: whether it applies, and what delivery costs, the server decides.
      ...(perks.reward ? { rewardId: perks.reward.rewardId } : {}),
    };
    // The same schema the server applies: most mistakes are shown without a round trip.
    const checked = createOrderInputSchema.safeParse(input);
    if (!checked.success) {
      const fields: Fields = {};
      for (const issue of checked.error.issues) (fields[issue.path.join('.')] ??= []).push(issue.message);
      setFieldErrors(fields);
      return;
    }
    setFieldErrors({});
    try {
      const result = await createOrder.mutateAsync(input);
      forgetPendingId(PENDING_ORDER_KEY);
      await Promise.all([utils.orders.myOrders.invalidate(), utils.rewards.summary.invalidate()]);
      if (result.outcome === 'declined') {
        const rewardRefused = result.status.failure?.code === 'rewardUnavailable';
        setDeclined({
          title: rewardRefused ? 'Your reward could not be applied' : 'Your card was declined',
          reason: result.reason ?? 'The card was declined.',
        });
        if (rewardRefused) perks.clearReward();
        return;
      }
      cart.clear();
      router.push(`/orders/${input.orderId}`);
    } catch (error) {
      setFieldErrors(fieldErrorsOf(error));
      // A CONFLICT means this id is spent (e.g. an earlier attempt was declined): the next attempt gets a new one.
      if ((error as { data?: { code?: string } }).data?.code === 'CONFLICT') forgetPendingId(PENDING_ORDER_KEY);
    }
  }

  if (cart.ready && cart.lines.length === 0 && !createOrder.isSuccess) {
    return (
      <div className="card stack">
        <p>Your cart is empty.</p>
        <Link className="button button-secondary" href="/">
          Back to the menu
        </Link>
      </div>
    );
  }

  const error = (name: string) => fieldErrors[name]?.join(', ');
  return (
    <form className="card stack" onSubmit={(event) => void submit(event)} noValidate aria-describedby="checkout-status">
      <TextField
        name="customerName"
        label="Your name"
        autoComplete="name"
        maxLength={TEXT_LIMITS.customerName}
        error={error('customerName')}
      />
      <fieldset className="stack">
        <legend className="field-legend">Delivery address</legend>
        <TextField
          name="street"
          label="Street and number"
          autoComplete="street-address"
          maxLength={TEXT_LIMITS.street}
          required
          error={error('deliveryAddress.street')}
          errorKey="deliveryAddress.street"
        />
        <div className="row">
          <TextField
            name="city"
            label="City"
            autoComplete="address-level2"
            maxLength={TEXT_LIMITS.city}
            required
            error={error('deliveryAddress.city')}
            errorKey="deliveryAddress.city"
          />
          <TextField
            name="postalCode"
            label="Postal code"
            autoComplete="postal-code"
            maxLength={TEXT_LIMITS.postalCode}
            inputMode={POSTAL_FORMAT.inputMode}
            hint={`Must be ${POSTAL_FORMAT.describe}`}
            required
            error={error('deliveryAddress.postalCode')}
            errorKey="deliveryAddress.postalCode"
          />
        </div>
        <TextField
          name="instructions"
          label="Instructions for the driver (optional)"
          maxLength={TEXT_LIMITS.instructions}
          error={error('deliveryAddress.instructions')}
          errorKey="deliveryAddress.instructions"
        />
      </fieldset>

      <RewardChoice perks={perks} error={error('rewardId')} />

      <fieldset className="stack" aria-describedby={error('paymentMethod') ? 'error-paymentMethod' : undefined}>
        <legend className="field-legend">Payment</legend>
        {PAYMENT_METHODS.map((method, index) => (
          <label key={method.token} className="choice">
            <input
              type="radio"
              name="paymentMethod"
              value={method.token}
              defaultChecked={index === 0}
              id={index === 0 ? fieldId('paymentMethod') : undefined}
            />
            <span>
              {method.label} <span className="field-hint">({method.hint})</span>
            </span>
          </label>
        ))}
        {error('paymentMethod') ? (
          <span id="error-paymentMethod" className="field-error">
            {error('paymentMethod')}
          </span>
        ) : null}
      </fieldset>

      {error('items') ? <Notice tone="error">Cart: {error('items')}</Notice> : null}
      <div id="checkout-status" className="stack checkout-status" ref={status} tabIndex={-1}>
        {declined ? (
          <Notice tone="error" title={declined.title}>
            {declined.reason} Nothing was charged.{' '}
            {declined.title === 'Your card was declined'
              ? 'Choose another card and try again.'
              : 'Place the order without it, or choose another reward.'}
          </Notice>
        ) : null}
        {createOrder.isError ? (
          <Notice tone="error" title="Could not place the order">
            {errorMessage(createOrder.error)}
          </Notice>
        ) : null}
        {createOrder.isPending ? <Notice tone="info">Placing your order and charging your card…</Notice> : null}
      </div>

      <div className="pay-row">
        <p className="pay-total" data-testid="pay-total">
          Total <span className="total">{cart.ready ? formatCents(totalCents) : '…'}</span>
        </p>
        <button className="button" type="submit" disabled={createOrder.isPending || !cart.ready}>
          {createOrder.isPending ? 'Placing order…' : 'Place order and pay'}
        </button>
      </div>
    </form>
  );
}

function fieldId(errorKey: string): string {
  return `field-${errorKey.replace(/\./g, '-')}`;
}

function TextField({
  name,
  label,
  error,
  errorKey = name,
  required = false,
  autoComplete,
  maxLength,
  inputMode,
  hint,
}: {
  name: string;
  label: string;
  error?: string;
  errorKey?: string;
  required?: boolean;
  autoComplete?: string;
  /** The schema's limit for the field (TEXT_LIMITS), so a browser stops at it instead of the server refusing. */
  maxLength: number;
  inputMode?: 'numeric' | 'text';
  /** What the field takes, shown before a mistake is made. */
  hint?: string;
}) {
  const id = fieldId(errorKey);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <input
        id={id}
        name={name}
        autoComplete={autoComplete}
        required={required}
        maxLength={maxLength}
        inputMode={inputMode}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {hint ? (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}
