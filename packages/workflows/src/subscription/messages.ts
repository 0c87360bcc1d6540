import { formatCents } from '@durable-delivery/catalog';
import type { PassEndReason } from './definitions';

/** The pass's push notifications. The kind is the machine value; this is what the customer reads. */
export function passMessage(
  kind: 'passRenewalFailed' | 'passRenewed' | 'passEnded',
  details: { readonly priceCents: number; readonly reason?: string; readonly endReason?: PassEndReason },
): string {
  switch (kind) {
    case 'passRenewalFailed':
      return `We couldn't renew your delivery pass (${formatCents(details.priceCents)}): ${
        details.reason ?? 'the payment failed'
      }. We'll try again; until then delivery is not free.`;
    case 'passRenewed':
      return `Your delivery pass is renewed (${formatCents(details.priceCents)}). Delivery is free again.`;
    case 'passEnded':
      return details.endReason === 'renewalFailed'
        ? 'Your delivery pass has ended: we could not renew it. Subscribe again any time.'
        : 'Your delivery pass has ended, as you asked. Subscribe again any time.';
  }
}
