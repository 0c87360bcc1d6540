'use client';

import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

/** One notification as the notification service pushes it (apps/notifications). */
export interface PushNotification {
  readonly sequence: number;
  readonly id: string;
  /** Absent for a notification about the customer's delivery pass. */
  readonly orderId?: string;
  readonly kind: string;
  readonly message: string;
  readonly createdAt: string;
}

/** `open`: events arrive as they happen. Anything else: pages that follow something live fall back to asking. */
export type StreamState = 'connecting' | 'open' | 'down';

type Listener = (notification: PushNotification) => void;

interface LiveNotifications {
  readonly state: StreamState;
  /** Every notification the stream brings from now on (and the backlog after `after` on connecting). */
  subscribe(this: void, listener: Listener): () => void;
}

const SEEN_KEY = 'durable-delivery.notifications-seen';

/** Retry delays after the service refused or was unreachable (EventSource itself gives up on a non-200 answer). */
const RETRY_MS = [2_000, 5_000, 15_000, 60_000];

const Context = createContext<LiveNotifications>({ state: 'down', subscribe: () => () => {} });

/** The sequence of the last notification this browser showed (toasts), so a new page does not show it twice. */
export function lastSeenSequence(): number {
  return Number(window.localStorage.getItem(SEEN_KEY) ?? '0') || 0;
}

export function markSeen(sequence: number): void {
  window.localStorage.setItem(SEEN_KEY, String(sequence));
}

/**
 * One live stream per tab (server-sent events through /api/notifications, the signed-in customer's only): the toasts
 * and the order page both listen to it, so a tab holds one of the customer's few streams (the relay's cap), not one
 * per component. EventSource reconnects by itself after a dropped connection; after a refusal (a 503, the cap) it
 * does not, so this opens a new one, later each time, from the last event it saw.
 */
export function LiveNotificationsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<StreamState>('connecting');
  const listeners = useRef(new Set<Listener>());
  const [subscribe] = useState(() => (listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  });

  useEffect(() => {
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let last = lastSeenSequence();
    const connect = () => {
      source = new EventSource(`/api/notifications?after=${last}`);
      source.addEventListener('open', () => {
        failures = 0;
        setState('open');
      });
      source.addEventListener('error', () => {
        if (source?.readyState === EventSource.CONNECTING) {
          setState('connecting');
          return;
        }
        setState('down');
        source?.close();
        retry = setTimeout(connect, RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]);
        failures += 1;
      });
      source.addEventListener('notification', (event: MessageEvent<string>) => {
        const notification = JSON.parse(event.data) as PushNotification;
        last = Math.max(last, notification.sequence);
        listeners.current.forEach((listener) => listener(notification));
      });
    };
    connect();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, []);

  return <Context.Provider value={{ state, subscribe }}>{children}</Context.Provider>;
}

/** The tab's live stream: its state, and `listener` called for each notification while the component is mounted. */
export function useLiveNotifications(listener?: Listener): StreamState {
  const { state, subscribe } = useContext(Context);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => subscribe((notification) => latest.current?.(notification)), [subscribe]);
  return state;
}
