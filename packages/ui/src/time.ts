/** A time of day in the reader's locale, e.g. "14:05:09"; seconds matter when windows are minutes long. */
export function formatTime(iso: string | undefined, timeZone?: string): string {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone,
  });
}
