'use client';

import { useSyncExternalStore } from 'react';

// One ticker for the whole board, however many cards count down: each card reads the same second.
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => listeners.forEach((notify) => notify()), 1_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const currentSecond = () => Math.floor(Date.now() / 1_000);
/** The server cannot know when the page will be read: the countdown appears once the page runs in the browser. */
const noSecondOnTheServer = () => null;

/**
 * "4:59 left", counting down to a deadline the server sent. Hydration renders nothing (the server's snapshot), then
 * the browser's clock takes over: no mismatch, however long the HTML took to arrive.
 */
export function Countdown({ deadline, closed }: { deadline: string; closed: string }) {
  const now = useSyncExternalStore(subscribe, currentSecond, noSecondOnTheServer);
  if (now === null) return null;
  const seconds = Math.ceil((Date.parse(deadline) - now * 1_000) / 1_000);
  return (
    <span role="timer" className={seconds > 0 ? 'countdown' : 'countdown countdown-over'} data-testid="countdown">
      {seconds > 0 ? `${formatRemaining(seconds)} left` : closed}
    </span>
  );
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatRemaining(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
