import { z } from 'zod';
import {
  AccountsUnavailableError,
  normalizeUsername,
  openOrUnavailable,
  type Accounts,
  type SignInResult,
} from './accounts.js';
import { ThrottleUnavailableError, type SignInThrottle, type ThrottleLimits } from './throttle.js';

type Handler = (request: Request) => Promise<Response>;

/** Where the sign-in page lives: a form posted without JavaScript comes back here with an error code. */
export const SIGN_IN_PAGE = '/signin';

/** The codes a failed form sign-in redirects back with (`/signin?error=…`); the page words each one. */
export type SignInErrorCode = 'invalid' | 'disabled' | 'throttled' | 'missing' | 'origin' | 'unavailable';

export const SIGN_IN_MESSAGES: Record<SignInErrorCode, string> = {
  invalid: 'That username and password do not match an account.',
  disabled: 'This account is disabled. Ask your dispatcher to enable it.',
  throttled: 'Too many failed sign-ins. Wait and try again.',
  missing: 'Enter your username and password.',
  origin: 'Sign in from this app’s own sign-in page.',
  unavailable: 'Sign-in is unavailable for a moment: the accounts database did not answer. Try again in a minute.',
};

/**
 * Every other request that needs to know who is signed in (the driver app's pages and API) while the accounts
 * database does not answer: a 503 with this, in the sign-in message's words.
 */
export const ACCOUNTS_UNAVAILABLE_MESSAGE =
  'Driver accounts are unavailable for a moment: the accounts database did not answer. Try again in a minute.';

/** What a 503 asks a client to wait while the accounts database does not answer (its Retry-After). */
export const UNAVAILABLE_RETRY_SECONDS = 30;

const signInSchema = z.object({
  username: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
  password: z.string().min(1, 'is required').max(200, 'must be at most 200 characters'),
});

export interface SessionHandlerOptions {
  /**
   * The origins the app answers for (AppConfig.origins); a sign-in from any other is refused (login CSRF). Unset:
   * the origin the request itself was addressed to (its Host and protocol).
   */
  readonly origins?: readonly string[];
  readonly throttle?: ThrottleLimits;
  /**
   * The client's address, by the app's own rule (@durable-delivery/api's clientAddress, which knows how many proxies
   * to trust): the per-address throttle counts by it, and it must agree with the app's rate limits.
   */
  readonly addressOf: (headers: Headers) => string;
}

/**
 * Driver sign-in and sign-out (the driver app's app/api/session/route.ts and app/api/session/sign-out/route.ts).
 * `signIn` takes the form posted without JavaScript (application/x-www-form-urlencoded: answers with a redirect, to
 * `/` or back to the form with an error code, never the password) or the page's script (application/json: answers
 * JSON in the shape the tRPC errors use). Any other body type is refused (a text/plain or multipart form cannot sign
 * anyone in), and so is a request from another origin. `signOut` is a form POST too (a button that works before
 * hydration): it ends the session in the database and sends the browser to the sign-in page.
 *
 * `accounts` is the open accounts, or how to open them (the app opens them at the first request, not at start): a
 * database that does not answer — to open them, to check a password, to count a failure — is a 503 saying so, and
 * the next request tries again.
 */
export function driverSessionHandlers(
  accounts: Accounts | (() => Promise<Accounts>),
  options: SessionHandlerOptions,
): {
  signIn: Handler;
  signOut: Handler;
} {
  // The throttle counts beside the accounts (in their PostgreSQL, or in memory with SQLite): made once they are open.
  let opened: { accounts: Accounts; throttle: SignInThrottle } | undefined;
  async function open(): Promise<{ accounts: Accounts; throttle: SignInThrottle }> {
    if (opened) return opened;
    // A bad configuration is the operator's to fix, and stays loud; anything else is the database not answering.
    const handle = typeof accounts === 'function' ? await openOrUnavailable(accounts) : accounts;
    opened ??= { accounts: handle, throttle: handle.signInThrottle(options.throttle) };
    return opened;
  }
  return {
    async signIn(req) {
      const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const form = type === 'application/x-www-form-urlencoded';
      if (!form && type !== 'application/json') {
        return Response.json(
          { message: 'Sign in with the sign-in form (a JSON or URL-encoded form body).' },
          { status: 415 },
        );
      }
      const fail = (code: SignInErrorCode, status: number, extra: { username?: string; retryAfter?: number } = {}) =>
        form
          ? redirectBack(req, code, extra)
          : Response.json(
              { message: messageOf(code, extra.retryAfter) },
              {
                status,
                headers: extra.retryAfter ? { 'retry-after': String(extra.retryAfter) } : {},
              },
            );
      if (!sameOrigin(req, options.origins)) return fail('origin', 403);

      const body: unknown = form
        ? Object.fromEntries(new URLSearchParams(await req.text().catch(() => '')))
        : await req.json().catch(() => undefined);
      const parsed = signInSchema.safeParse(body);
      if (!parsed.success) {
        if (form) return redirectBack(req, 'missing', {});
        const fieldErrors: Record<string, string[]> = {};
        for (const issue of parsed.error.issues)
          (fieldErrors[issue.path.join('.') || '(input)'] ??= []).push(issue.message);
        return Response.json({ message: 'Check the highlighted fields.', fieldErrors }, { status: 400 });
      }
      const username = normalizeUsername(parsed.data.username);
      const address = options.addressOf(req.headers);
      let result: SignInResult;
      try {
        const { accounts: store, throttle } = await open();
        const wait = await throttle.retryAfter(username, address);
        if (wait > 0) return fail('throttled', 429, { username, retryAfter: wait });
        result = await store.signIn(username, parsed.data.password);
        if (!result.ok) {
          if (result.reason === 'invalid') await throttle.failed(username, address);
          return fail(result.reason, result.reason === 'disabled' ? 403 : 401, { username });
        }
        await throttle.succeeded(username, address);
      } catch (error) {
        // The accounts database (accounts and, with PostgreSQL, the throttle's counts) did not answer: a 503 that
        // says so, never a 500, and never a session opened with a failure left uncounted.
        if (!(error instanceof ThrottleUnavailableError || error instanceof AccountsUnavailableError)) throw error;
        logAccountsUnavailable('sign-in', error);
        return fail('unavailable', 503, { username, retryAfter: UNAVAILABLE_RETRY_SECONDS });
      }
      const headers = new Headers({ 'cache-control': 'no-store' });
      for (const cookie of result.setCookies) headers.append('set-cookie', cookie);
      if (form) {
        headers.set('location', '/');
        return new Response(null, { status: 303, headers });
      }
      return Response.json({ driver: result.driver }, { headers });
    },

    async signOut(req) {
      // Another site's page must not sign a driver out mid-shift (logout CSRF).
      if (!sameOrigin(req, options.origins)) return new Response('Sign out from this app’s own page.', { status: 403 });
      const headers = new Headers({ location: SIGN_IN_PAGE, 'cache-control': 'no-store' });
      try {
        for (const cookie of await (await open()).accounts.signOut(req.headers)) headers.append('set-cookie', cookie);
      } catch (error) {
        if (!(error instanceof AccountsUnavailableError)) throw error;
        logAccountsUnavailable('sign-out', error);
        return new Response(SIGN_OUT_UNAVAILABLE, {
          status: 503,
          headers: { 'retry-after': String(UNAVAILABLE_RETRY_SECONDS), 'cache-control': 'no-store' },
        });
      }
      return new Response(null, { status: 303, headers });
    },
  };
}

const SIGN_OUT_UNAVAILABLE =
  'Sign-out is unavailable for a moment: the accounts database did not answer, so your session is still open. Try again in a minute.';

/** One log line per request refused because the accounts database did not answer (what, and why). */
export function logAccountsUnavailable(action: string, error: Error): void {
  console.error(JSON.stringify({ level: 'ERROR', msg: `driver ${action} unavailable`, error: error.message }));
}

function messageOf(code: SignInErrorCode, retryAfter?: number): string {
  if (code === 'throttled' && retryAfter) return `Too many failed sign-ins. Try again in ${waitText(retryAfter)}.`;
  return SIGN_IN_MESSAGES[code];
}

/** "3 minutes", "40 seconds": how long a throttled driver waits, for people. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** Back to the form, with the error code and the username typed (never the password). Relative: no Host trusted. */
function redirectBack(req: Request, code: SignInErrorCode, extra: { username?: string; retryAfter?: number }) {
  const query = new URLSearchParams({ error: code });
  if (extra.username) query.set('username', extra.username);
  if (extra.retryAfter) query.set('retryAfter', String(extra.retryAfter));
  return new Response(null, {
    status: 303,
    headers: { location: `${SIGN_IN_PAGE}?${query.toString()}`, 'cache-control': 'no-store' },
  });
}

/**
 * Login CSRF: a browser names the page a POST comes from in Origin (and Sec-Fetch-Site); a sign-in from a foreign
 * page is refused. A client that sends neither is not a browser, so no other site's page can have sent it.
 */
function sameOrigin(req: Request, origins: readonly string[] | undefined): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return false;
  const origin = req.headers.get('origin');
  if (origin === null) return true;
  return (origins ?? [ownOrigin(req)]).includes(origin);
}

function ownOrigin(req: Request): string {
  const url = new URL(req.url);
  const host = req.headers.get('host') ?? url.host;
  const protocol = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? url.protocol.replace(/:$/, '');
  return `${protocol}://${host}`;
}
