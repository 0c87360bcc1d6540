'use client';

import type { Reward } from '@durable-delivery/workflows';
import { REWARD_LEVEL_NAMES, describeReward, formatCents } from '@durable-delivery/ui';
import Link from 'next/link';
import { useState } from 'react';
import { subtotalOf, useCart } from '../../lib/cart';
import { trpc } from '../../lib/trpc';

/**
 * What checkout shows about the customer's perks: free delivery from their pass, and the rewards they may choose.
 * Shown, not decided: the order asks the pass and redeems the reward itself before it charges.
 */
export interface CheckoutPerks {
  readonly status: 'loading' | 'ready' | 'unavailable';
  readonly freeDelivery: boolean;
  /** Available rewards, oldest first. */
  readonly rewards: readonly Reward[];
  /** The reward chosen, while the cart is big enough for it. */
  readonly reward?: Reward;
  readonly subtotalCents: number;
  choose(rewardId: string | undefined): void;
  clearReward(): void;
}

export function useCheckoutPerks(): CheckoutPerks {
  const cart = useCart();
  const [chosen, setChosen] = useState<string>();
  const summary = trpc.rewards.summary.useQuery();
  const pass = trpc.pass.status.useQuery();
  const subtotalCents = subtotalOf(cart.lines);
  const rewards = summary.data?.rewards.filter((reward) => reward.state === 'available') ?? [];
  const reward = rewards.find(
    (candidate) => candidate.rewardId === chosen && subtotalCents >= candidate.minimumSubtotalCents,
  );
  return {
    status: summary.isPending || pass.isPending ? 'loading' : summary.isError || pass.isError ? 'unavailable' : 'ready',
    freeDelivery: pass.data?.pass?.freeDelivery === true,
    rewards,
    ...(reward ? { reward } : {}),
    subtotalCents,
    choose: setChosen,
    clearReward: () => setChosen(undefined),
  };
}

export function RewardChoice({ perks, error }: { perks: CheckoutPerks; error?: string }) {
  return (
    <fieldset className="stack" aria-describedby={error ? 'error-rewardId' : undefined} data-testid="perks">
      <legend className="field-legend">Rewards and delivery pass</legend>
      {perks.status === 'loading' ? (
        <div className="skeleton skeleton-small" aria-label="Checking your rewards" />
      ) : null}
      {perks.status === 'unavailable' ? (
        <p className="muted">Your rewards could not be checked just now; you can still order.</p>
      ) : null}
      {perks.freeDelivery ? (
        <p className="perk" data-testid="free-delivery">
          Delivery is free with your pass.
        </p>
      ) : perks.status === 'ready' ? (
        <p className="muted">
          <Link href="/rewards">Get a delivery pass</Link> for free delivery on every order.
        </p>
      ) : null}
      {perks.status === 'ready' && perks.rewards.length === 0 ? (
        <p className="muted">
          No rewards to use yet: <Link href="/rewards">see how to earn them</Link>.
        </p>
      ) : null}
      {perks.rewards.length > 0 ? (
        <>
          <label className="choice">
            <input
              type="radio"
              name="rewardId"
              value=""
              checked={perks.reward === undefined}
              onChange={() => perks.choose(undefined)}
              id="field-rewardId"
            />
            No reward this time
          </label>
          {perks.rewards.map((reward) => {
            const missing = reward.minimumSubtotalCents - perks.subtotalCents;
            return (
              <label key={reward.rewardId} className="choice">
                <input
                  type="radio"
                  name="rewardId"
                  value={reward.rewardId}
                  disabled={missing > 0}
                  checked={perks.reward?.rewardId === reward.rewardId}
                  onChange={() => perks.choose(reward.rewardId)}
                />
                <span>
                  {REWARD_LEVEL_NAMES[reward.level]} reward: {describeReward(reward)}
                  {missing > 0 ? (
                    <span className="field-hint"> (add {formatCents(missing)} more to use it)</span>
                  ) : null}
                </span>
              </label>
            );
          })}
        </>
      ) : null}
      {error ? (
        <span id="error-rewardId" className="field-error">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
