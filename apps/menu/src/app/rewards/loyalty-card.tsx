'use client';

import type { LoyaltySummary, Reward } from '@durable-delivery/workflows';
import { shortOrderNumber } from '@durable-delivery/workflows/messages';
import {
  LEVEL_LABELS,
  Notice,
  REWARD_LEVEL_NAMES,
  describeReward,
  errorMessage,
  formatDateTime,
} from '@durable-delivery/ui';
import Link from 'next/link';
import { trpc } from '../../lib/trpc';

/**
 * The customer's points, level, rewards and point history, from their loyalty workflow (one query). Points arrive a
 * moment after a delivery, so the page refreshes while it is open.
 */
export function LoyaltyCard() {
  const summary = trpc.rewards.summary.useQuery(undefined, { refetchInterval: 5_000 });
  return (
    <section className="card stack" aria-labelledby="loyalty-title">
      <h2 id="loyalty-title">Loyalty points</h2>
      {summary.isPending ? <div className="skeleton" aria-label="Loading your points" /> : null}
      {summary.isError ? (
        <Notice tone="error" title="Could not load your points">
          {errorMessage(summary.error)}
        </Notice>
      ) : null}
      {summary.data ? <Loyalty summary={summary.data} /> : null}
    </section>
  );
}

function Loyalty({ summary }: { summary: LoyaltySummary }) {
  const { nextLevel, program } = summary;
  const available = summary.rewards.filter((reward) => reward.state === 'available');
  const used = summary.rewards.filter((reward) => reward.state === 'redeemed');
  return (
    <>
      <p className="row">
        {/* A level is earned by a first delivery: before it, no badge claims a membership the customer lacks. */}
        {summary.member ? (
          <span className={`badge level level-${summary.level}`} data-testid="loyalty-level" data-level={summary.level}>
            {LEVEL_LABELS[summary.level]}
          </span>
        ) : null}
        <strong className="points" data-testid="loyalty-points">
          {summary.points} {summary.points === 1 ? 'point' : 'points'}
        </strong>
      </p>
      {nextLevel ? (
        <div className="stack-tight">
          <label htmlFor="level-progress">
            {nextLevel.pointsToGo} {nextLevel.pointsToGo === 1 ? 'point' : 'points'} to {LEVEL_LABELS[nextLevel.level]}
          </label>
          <progress id="level-progress" className="progress" value={summary.points} max={nextLevel.points} />
        </div>
      ) : (
        <p>You are at the top level: every {program.topRewardEvery} more points earns another Gold reward.</p>
      )}
      {!summary.member ? (
        <p className="muted">
          Every dollar you pay for a delivered order earns{' '}
          {program.pointsPerDollar === 1 ? 'a point' : `${program.pointsPerDollar} points`}. Your first delivery makes
          you a member. <Link href="/">Order now</Link>
        </p>
      ) : null}

      <div>
        <h3>Your rewards</h3>
        {available.length === 0 && used.length === 0 ? (
          <p className="muted">No rewards yet. Each level you reach gives you one to use at checkout.</p>
        ) : (
          <ul className="table-list" data-testid="rewards">
            {available.map((reward) => (
              <RewardItem key={reward.rewardId} reward={reward} />
            ))}
            {used.map((reward) => (
              <RewardItem key={reward.rewardId} reward={reward} />
            ))}
          </ul>
        )}
      </div>

      <div>
        <h3>Levels</h3>
        <ul className="table-list">
          {program.levels.map((terms) => (
            <li key={terms.level} className="row level-terms" data-reached={summary.points >= terms.points}>
              <span className={`badge level level-${terms.level}`}>{LEVEL_LABELS[terms.level]}</span>
              <span>
                {terms.points} points: {describeReward(terms.reward)}
              </span>
            </li>
          ))}
        </ul>
      </div>

      <div>
        <h3>Point history</h3>
        {summary.history.length === 0 ? (
          <p className="muted">No points yet.</p>
        ) : (
          <ol className="table-list" data-testid="point-history">
            {summary.history.map((change) => (
              <li key={change.orderId} className="row point-change" data-order-id={change.orderId}>
                <strong>+{change.points}</strong>
                <span>
                  <Link href={`/orders/${encodeURIComponent(change.orderId)}`}>
                    Order {shortOrderNumber(change.orderId)}
                  </Link>{' '}
                  delivered <span className="muted">{formatDateTime(change.at)}</span>
                </span>
                <span className="muted balance">{change.balance} total</span>
              </li>
            ))}
          </ol>
        )}
        {summary.ordersCounted > summary.history.length ? (
          <p className="muted">
            The latest {summary.history.length} of {summary.ordersCounted} orders.
          </p>
        ) : null}
      </div>
    </>
  );
}

function RewardItem({ reward }: { reward: Reward }) {
  const available = reward.state === 'available';
  return (
    <li className="card reward" data-reward-id={reward.rewardId} data-state={reward.state}>
      <strong>{REWARD_LEVEL_NAMES[reward.level]} reward</strong>
      <span>{describeReward(reward)}</span>
      <span className="muted">
        {available ? (
          <>
            Choose it at <Link href="/checkout">checkout</Link>.
          </>
        ) : reward.redeemedBy ? (
          <>
            Used on{' '}
            <Link href={`/orders/${encodeURIComponent(reward.redeemedBy)}`}>
              order {shortOrderNumber(reward.redeemedBy)}
            </Link>
            .
          </>
        ) : (
          'Used.'
        )}
      </span>
    </li>
  );
}
