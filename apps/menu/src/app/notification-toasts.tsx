'use client';

import { shortOrderNumber } from '@durable-delivery/workflows/messages';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { lastSeenSequence, markSeen, useLiveNotifications, type PushNotification } from '../lib/live-notifications';

/** Notifications from the loyalty and pass workflows: they link to the Rewards page, not to an order. */
const REWARD_KINDS: ReadonlySet<string> = new Set([
  'levelReached',
  'rewardEarned',
  'passRenewalFailed',
  'passRenewed',
  'passEnded',
]);
const SHOWN_FOR_MS = 10_000;
/** Older than this, a notification is in the inbox but not worth a toast (e.g. a browser that cleared storage). */
const TOO_OLD_MS = 60 * 60_000;

/**
 * Push notifications as toasts on every page, live from the tab's notification stream (lib/live-notifications).
 * The page remembers the last one it showed, so a reload or a page opened later shows what arrived meanwhile, once.
 * A notification about the order on screen (but not a reward it earned) is not toasted: that page lists it as it
 * arrives, and a toast over it would only cover the controls (Send rating) a person needs there.
 */
export function NotificationToasts() {
  const [toasts, setToasts] = useState<PushNotification[]>([]);
  const pathname = usePathname();
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  useLiveNotifications((notification) => {
    if (notification.sequence <= lastSeenSequence()) return;
    markSeen(notification.sequence);
    if (Date.now() - Date.parse(notification.createdAt) > TOO_OLD_MS) return;
    // Rewards are not the order page's to list (a level reached with this order's points is news on any page).
    const aboutThisPage =
      notification.orderId &&
      !REWARD_KINDS.has(notification.kind) &&
      pathname === `/orders/${encodeURIComponent(notification.orderId)}`;
    if (aboutThisPage) return;
    setToasts((current) => [...current, notification].slice(-3));
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      setToasts((current) => current.filter((toast) => toast.id !== notification.id));
    }, SHOWN_FOR_MS);
    timers.current.add(timer);
  });
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach(clearTimeout);
  }, []);

  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite" data-testid="toasts">
      {toasts.map((toast) => (
        <div key={toast.id} className="toast" role="status" data-kind={toast.kind}>
          <p>{toast.message}</p>
          <div className="row">
            {toast.orderId && !REWARD_KINDS.has(toast.kind) ? (
              <Link href={`/orders/${encodeURIComponent(toast.orderId)}`}>
                See order {shortOrderNumber(toast.orderId)}
              </Link>
            ) : (
              <Link href="/rewards">See your rewards</Link>
            )}
            <button
              type="button"
              className="link-button"
              onClick={() => setToasts((current) => current.filter((other) => other.id !== toast.id))}
            >
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
