/**
 * One Intl.DateTimeFormat per set of options and time zone, made on first use: a formatter is slow to make and quick
 * to use, and `toLocaleTimeString(…, options)` makes a new one on every call — every render of every time on a list
 * of dozens, while a phone hydrates it.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, options);
    formatters.set(key, format);
  }
  return format;
}

/** A time of day: seconds matter when windows are minutes long. (LocalTimeScript formats with these too.) */
export const TIME_OPTIONS = { hour: '2-digit', minute: '2-digit', second: '2-digit' } as const;
/** A date and time: renewals are days apart, but demos run them minutes apart. */
export const DATE_TIME_OPTIONS = { dateStyle: 'medium', timeStyle: 'short' } as const;

/** A time of day in the reader's locale, e.g. "14:05:09". */
export function formatTime(iso: string | undefined, timeZone?: string): string {
  if (!iso) return '';
  return formatter({ ...TIME_OPTIONS, timeZone }).format(new Date(iso));
}

/** A date and time in the reader's locale, e.g. "Dec 1, 2026, 2:05 PM". */
export function formatDateTime(iso: string | undefined, timeZone?: string): string {
  if (!iso) return '';
  return formatter({ ...DATE_TIME_OPTIONS, timeZone }).format(new Date(iso));
}
