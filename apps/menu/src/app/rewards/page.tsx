import type { Metadata } from 'next';
import { DeliveryPassCard } from './delivery-pass-card';
import { LoyaltyCard } from './loyalty-card';

export const metadata: Metadata = { title: 'Rewards' };

export default function RewardsPage() {
  return (
    <div className="stack">
      <h1>Rewards</h1>
      <div className="two-columns">
        <LoyaltyCard />
        <DeliveryPassCard />
      </div>
    </div>
  );
}
