import type { LoyaltyLevel, PassState } from '@durable-delivery/workflows';
import type { Tone } from './states';

/** Loyalty levels and delivery pass states as people read them. */
export const LEVEL_LABELS: Record<LoyaltyLevel, string> = {
  member: 'Member',
  bronze: 'Bronze',
  silver: 'Silver',
  gold: 'Gold',
};

export const PASS_STATE_LABELS: Record<PassState, string> = {
  pending: 'Charging your card',
  active: 'Active',
  cancelling: 'Cancelled, active until the period ends',
  pastDue: 'Renewal failed',
  ended: 'Ended',
};

const PASS_TONES: Record<PassState, Tone> = {
  pending: 'progress',
  active: 'success',
  cancelling: 'neutral',
  pastDue: 'problem',
  ended: 'neutral',
};

export function passTone(state: PassState): Tone {
  return PASS_TONES[state];
}

/** "Every 30 days", "every 2 minutes": a billing period for people. */
export function describePeriod(millis: number): string {
  const units: [number, string][] = [
    [24 * 60 * 60 * 1000, 'day'],
    [60 * 60 * 1000, 'hour'],
    [60 * 1000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (millis >= size && millis % size === 0) {
      const count = millis / size;
      return count === 1 ? `every ${name}` : `every ${count} ${name}s`;
    }
  }
  return `every ${millis} ms`;
}
