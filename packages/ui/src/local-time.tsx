'use client';

import { useSyncExternalStore } from 'react';
import { formatDateTime, formatTime } from './time';

const neverChanges = () => () => {};

/**
 * A time in the reader's own zone and locale, on a page the server renders first. The server knows neither, so it
 * writes the time in UTC; LocalTimeScript, in the page's head, writes the reader's before the page is painted, and
 * hydration keeps that text (suppressHydrationWarning: the server's snapshot differs from the page by design), then
 * renders the same. Without scripts, the UTC time stays, labelled as such.
 * It is an inline block (styles.css), so a later change repaints only this small box: text changed inside a
 * paragraph would make the whole paragraph a new largest contentful paint.
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
    <time
      className={className ? `local-time ${className}` : 'local-time'}
      dateTime={iso}
      data-with-date={withDate ? '' : undefined}
      suppressHydrationWarning
    >
      {text}
    </time>
  );
}
