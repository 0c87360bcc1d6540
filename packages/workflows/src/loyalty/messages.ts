import { formatCents } from '@durable-delivery/catalog';
import type { Reward, RewardLevel } from './definitions';

/** The level names people read; the workflow keeps machine values. */
export const REWARD_LEVEL_NAMES: Record<RewardLevel, string> = { bronze: 'Bronze', silver: 'Silver', gold: 'Gold' };

/** "$5.00 off an order of $20.00 or more" */
export function describeReward(reward: Pick<Reward, 'amountCents' | 'minimumSubtotalCents'>): string {
  return `${formatCents(reward.amountCents)} off an order of ${formatCents(reward.minimumSubtotalCents)} or more`;
}

/** The push notification for a level reached, or for another top-level reward. */
export function rewardMessage(reward: Reward, points: number, levelReached: boolean): string {
  const name = REWARD_LEVEL_NAMES[reward.level];
  return levelReached
    ? `You reached ${name} with ${points} points! Your reward, ${describeReward(reward)}, is waiting at checkout.`
    : `${points} points: another ${name} reward, ${describeReward(reward)}, is waiting at checkout.`;
}
