'use client';

import type { PassView } from '@durable-delivery/api';
import type { DeliveryPass } from '@durable-delivery/workflows';
import {
  Notice,
  PASS_STATE_LABELS,
  describePeriod,
  errorMessage,
  formatCents,
  formatDateTime,
  passTone,
  sentence,
} from '@durable-delivery/ui';
import type { FormEvent } from 'react';
import { forgetPendingId, pendingId } from '../../lib/client-ids';
import { PAYMENT_METHODS } from '../../lib/payment-methods';
import { trpc } from '../../lib/trpc';

/** The subscription id is made before the request (see lib/client-ids): a retried Subscribe finds the same pass. */
const PENDING_SUBSCRIPTION_KEY = 'durable-delivery.pending-subscription-id';

/** While the first charge is in flight the pass changes within seconds; otherwise it changes once a period. */
function refreshEvery(view: PassView | undefined): number {
  return view?.pass?.state === 'pending' ? 1_000 : 10_000;
}

export function DeliveryPassCard() {
  const status = trpc.pass.status.useQuery(undefined, { refetchInterval: (query) => refreshEvery(query.state.data) });
  return (
    <section className="card stack" aria-labelledby="pass-title">
      <h2 id="pass-title">Delivery pass</h2>
      {status.isPending ? <div className="skeleton" aria-label="Loading your pass" /> : null}
      {status.isError ? (
        <Notice tone="error" title="Could not load your pass">
          {errorMessage(status.error)}
        </Notice>
      ) : null}
      {status.data ? <Pass view={status.data} /> : null}
    </section>
  );
}

function Pass({ view }: { view: PassView }) {
  const { pass, offer } = view;
  const price = `${formatCents(offer.priceCents)} ${describePeriod(offer.billingPeriodMs)}`;
  if (!pass || pass.state === 'ended') {
    return (
      <>
        <p>Free delivery on every order for {price}. Cancel any time; it runs to the end of the period you paid for.</p>
        {pass?.state === 'ended' ? <EndedNotice pass={pass} /> : null}
        <SubscribeForm />
      </>
    );
  }
  return (
    <>
      <p className="row">
        <span
          className={`badge badge-${passTone(pass.state)}`}
          data-testid="pass-state"
          data-state={pass.state}
          role="status"
        >
          {PASS_STATE_LABELS[pass.state]}
        </span>
        {pass.freeDelivery ? <span className="perk">Delivery is free</span> : null}
      </p>
      {pass.state === 'pending' ? <Notice tone="info">Charging your card for the first period…</Notice> : null}
      {pass.state === 'pastDue' ? (
        <Notice tone="error" title="We couldn't renew your pass">
          {sentence(pass.failure)} We try again on {formatDateTime(pass.nextChargeAt)}
          {pass.renewal ? ` (try ${pass.renewal.nextTry} of ${pass.renewal.of})` : ''}; until a charge goes through,
          delivery is not free.
        </Notice>
      ) : null}
      {pass.state === 'cancelling' ? (
        <Notice tone="info" title="Your pass is cancelled">
          Delivery stays free until {formatDateTime(pass.endsAt)}; nothing more is charged.
        </Notice>
      ) : null}
      <dl className="totals pass-details">
        <dt>Price</dt>
        <dd>{price}</dd>
        {pass.state === 'active' ? (
          <>
            <dt>Renews</dt>
            <dd data-testid="pass-renews">{formatDateTime(pass.nextChargeAt)}</dd>
          </>
        ) : null}
        <dt>Charged</dt>
        <dd data-testid="pass-charged">
          {pass.timesCharged} {pass.timesCharged === 1 ? 'time' : 'times'}, {formatCents(pass.totalChargedCents)} in all
        </dd>
        <dt>Since</dt>
        <dd>{formatDateTime(pass.subscribedAt)}</dd>
      </dl>
      <PassActions pass={pass} />
    </>
  );
}

function EndedNotice({ pass }: { pass: DeliveryPass }) {
  if (pass.endReason === 'declined' || pass.endReason === 'paymentUnavailable') {
    return (
      <Notice tone="error" title="Your card was declined">
        {sentence(pass.failure)} Nothing was charged; choose another card and try again.
      </Notice>
    );
  }
  return (
    <p className="muted" data-testid="pass-ended">
      Your last pass ended on {formatDateTime(pass.endedAt)}
      {pass.endReason === 'renewalFailed' ? `: we could not renew it (${pass.failure})` : ''}.
    </p>
  );
}

function SubscribeForm() {
  const utils = trpc.useUtils();
  const subscribe = trpc.pass.subscribe.useMutation({
    onSuccess: async () => {
      forgetPendingId(PENDING_SUBSCRIPTION_KEY);
      await utils.pass.status.invalidate();
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (subscribe.isPending) return;
    const paymentMethod = new FormData(event.currentTarget).get('passPaymentMethod');
    subscribe.mutate({
      subscriptionId: pendingId(PENDING_SUBSCRIPTION_KEY),
      paymentMethod: typeof paymentMethod === 'string' ? paymentMethod : '',
    });
  }
  return (
    <form className="stack" onSubmit={submit} aria-labelledby="subscribe-title">
      <fieldset className="stack">
        <legend id="subscribe-title" className="field-legend">
          Pay for the pass with
        </legend>
        {PAYMENT_METHODS.map((method, index) => (
          <label key={method.token} className="choice">
            <input type="radio" name="passPaymentMethod" value={method.token} defaultChecked={index === 0} />
            <span>
              {method.label} <span className="field-hint">({method.hint})</span>
            </span>
          </label>
        ))}
      </fieldset>
      <button className="button" type="submit" disabled={subscribe.isPending}>
        {subscribe.isPending ? 'Subscribing…' : 'Subscribe'}
      </button>
      {subscribe.isError ? (
        <Notice tone="error" title="Could not subscribe">
          {errorMessage(subscribe.error)}
        </Notice>
      ) : null}
    </form>
  );
}

function PassActions({ pass }: { pass: DeliveryPass }) {
  const utils = trpc.useUtils();
  const onSuccess = () => utils.pass.status.invalidate();
  const cancel = trpc.pass.cancel.useMutation({ onSuccess });
  const resume = trpc.pass.resume.useMutation({ onSuccess });
  const failed = cancel.error ?? resume.error;
  return (
    <div className="stack">
      {pass.state === 'active' || pass.state === 'pastDue' ? (
        <button
          type="button"
          className="button button-secondary"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate({})}
        >
          {cancel.isPending ? 'Cancelling…' : 'Cancel pass'}
        </button>
      ) : null}
      {pass.state === 'cancelling' ? (
        <button type="button" className="button" disabled={resume.isPending} onClick={() => resume.mutate()}>
          {resume.isPending ? 'Resuming…' : 'Keep my pass'}
        </button>
      ) : null}
      {failed ? (
        <Notice tone="error" title="Could not change your pass">
          {errorMessage(failed)}
        </Notice>
      ) : null}
    </div>
  );
}
