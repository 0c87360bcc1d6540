'use client';

import { useSyncExternalStore } from 'react';
import { formatDateTime, formatTime } from './time';

const neverChanges = () => () => {};

/**
 * A time in the reader's own zone and locale, on a page the server renders first. The server knows neither, so it
 * writes the time in UTC and hydration keeps that text (no mismatch), then React swaps in the local one at once.
 * It is an inline block (styles.css), so the swap repaints only this small box: text changed inside a paragraph
 * would make the whole paragraph a new largest contentful paint, as late as hydration.
 */
export function LocalTime({
  iso,
  withDate = false,
  className,
}: {
  iso: string;
  withDate?: boolean;
  className?: string;
}) {
  const format = withDate ? formatDateTime : formatTime;
  const text = useSyncExternalStore(
    neverChanges,
    () => format(iso),
    () => `${format(iso, 'UTC')} UTC`,
  );
  return (
    <time className={className ? `local-time ${className}` : 'local-time'} dateTime={iso}>
      {text}
    </time>
  );
}
