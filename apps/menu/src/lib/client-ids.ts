/**
 * Ids made in the browser before a request and kept in sessionStorage until the request is answered: a double click,
 * a retried request or a reload sends the same id, and the server answers with what that id already did (the same
 * order, the same pass) instead of doing it, and charging, twice.
 */
export function pendingId(key: string): string {
  const existing = window.sessionStorage.getItem(key);
  if (existing) return existing;
  const id = crypto.randomUUID();
  window.sessionStorage.setItem(key, id);
  return id;
}

export function forgetPendingId(key: string): void {
  window.sessionStorage.removeItem(key);
}
