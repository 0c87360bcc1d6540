import { formatCents } from './pricing';

/**
 * Loyalty reward levels as people read them, for the workflow's notifications and the apps alike (the workflow keeps
 * the machine values: `bronze`, `silver`, `gold`).
 */
export const REWARD_LEVEL_NAMES = { bronze: 'Bronze', silver: 'Silver', gold: 'Gold' } as const;

/** "$5.00 off an order of $20.00 or more" */
export function describeReward(reward: {
  readonly amountCents: number;
  readonly minimumSubtotalCents: number;
}): string {
  return `${formatCents(reward.amountCents)} off an order of ${formatCents(reward.minimumSubtotalCents)} or more`;
}
