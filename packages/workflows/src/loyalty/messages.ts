import { REWARD_LEVEL_NAMES, describeReward } from '@durable-delivery/catalog';
import type { Reward } from './definitions';

/** The push notification for a level reached, or for another top-level reward. */
export function rewardMessage(reward: Reward, points: number, levelReached: boolean): string {
  const name = REWARD_LEVEL_NAMES[reward.level];
  return levelReached
    ? `You reached ${name} with ${points} points! Your reward, ${describeReward(reward)}, is waiting at checkout.`
    : `${points} points: another ${name} reward, ${describeReward(reward)}, is waiting at checkout.`;
}
