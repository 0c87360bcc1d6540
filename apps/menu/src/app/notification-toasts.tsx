'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';

interface PushNotification {
  readonly sequence: number;
  readonly id: string;
  /** Absent for a notification about the customer's delivery pass. */
  readonly orderId?: string;
  readonly kind: string;
  readonly message: string;
  readonly createdAt: string;
}

const SEEN_KEY = 'durable-delivery.notifications-seen';
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
 * Push notifications as toasts on every page, live from the notification service (server-sent events through
 * /api/notifications, for the signed-in customer only). The page remembers the last one it showed, so a reload or a
 * page opened later shows what arrived meanwhile, once; EventSource reconnects by itself from its last event.
 */
export function NotificationToasts() {
  const [toasts, setToasts] = useState<PushNotification[]>([]);

  useEffect(() => {
    const seen = Number(window.localStorage.getItem(SEEN_KEY) ?? '0') || 0;
    const source = new EventSource(`/api/notifications?after=${seen}`);
    const timers = new Set<ReturnType<typeof setTimeout>>();
    source.addEventListener('notification', (event: MessageEvent<string>) => {
      const notification = JSON.parse(event.data) as PushNotification;
      const lastSeen = Number(window.localStorage.getItem(SEEN_KEY) ?? '0') || 0;
      if (notification.sequence <= lastSeen) return;
      window.localStorage.setItem(SEEN_KEY, String(notification.sequence));
      if (Date.now() - Date.parse(notification.createdAt) > TOO_OLD_MS) return;
      setToasts((current) => [...current, notification].slice(-3));
      const timer = setTimeout(() => {
        timers.delete(timer);
        setToasts((current) => current.filter((toast) => toast.id !== notification.id));
      }, SHOWN_FOR_MS);
      timers.add(timer);
    });
    return () => {
      source.close();
      timers.forEach(clearTimeout);
    };
  }, []);

  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite" data-testid="toasts">
      {toasts.map((toast) => (
        <div key={toast.id} className="toast" role="status" data-kind={toast.kind}>
          <p>{toast.message}</p>
          <div className="row">
            {toast.orderId && !REWARD_KINDS.has(toast.kind) ? (
              <Link href={`/orders/${encodeURIComponent(toast.orderId)}`}>See the order</Link>
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
