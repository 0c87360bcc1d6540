/**
 * The ended orders a driver has acknowledged, kept in a cookie per driver: the server reads it to draw the board
 * without them (no flash, no hydration mismatch), the browser writes it when the driver presses Acknowledge, and it
 * survives reloads. Not a secret and not trusted for anything: it only hides cards.
 */
const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** The newest ones are kept: a driver acknowledges an order at most once, and the list shows recent orders first. */
const KEEP = 40;
const YEAR_SECONDS = 365 * 24 * 3600;

export function acknowledgedCookieName(driverId: string): string {
  return `acknowledged-${driverId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

export function parseAcknowledged(value: string | undefined): string[] {
  return (value ?? '').split('.').filter((id) => ID.test(id));
}

/** The cookie's new value after acknowledging `orderId`. */
export function withAcknowledged(ids: readonly string[], orderId: string): string[] {
  return [...ids.filter((id) => id !== orderId), orderId].slice(-KEEP);
}

/** Written by the browser; `Secure` when the page is (a plain-http localhost dev server still keeps it). */
export function writeAcknowledged(driverId: string, ids: readonly string[]): void {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${acknowledgedCookieName(driverId)}=${ids.join('.')}; Path=/; Max-Age=${YEAR_SECONDS}; SameSite=Lax${secure}`;
}
