import { RateLimiterPostgres } from 'rate-limiter-flexible';

// The database the stores live in, made when missing (the services that keep their data in PostgreSQL).
export { ensureDatabase } from './database';

/** RateLimiterPostgres's options, but for `tableCreated`, which this module decides. */
export type PostgresLimiterOptions = Omit<ConstructorParameters<typeof RateLimiterPostgres>[0], 'tableCreated'>;

/** A limiter that counts in PostgreSQL, and the promise that its table exists. */
export interface PostgresLimiter {
  /**
   * Counts in the table `ready()` makes. Until the table exists its calls fail like any database error: its
   * `insuranceLimiter` answers them when it has one, or they reject.
   */
  readonly limiter: RateLimiterPostgres;
  /**
   * Resolves once the table exists (at once after the first time). Rejects while the database cannot make it; the
   * next call after `retryMs` tries again, so a database that was down when the process started gets its table as
   * soon as it answers (the library alone tries once, in the constructor, and never again).
   */
  ready(): Promise<void>;
}

/** How long a failure to make the table stands before another attempt: a database that is down is not asked per call. */
export const RETRY_MS = 2_000;

/**
 * A RateLimiterPostgres whose table is made by the library's own statement (CREATE TABLE IF NOT EXISTS, which it
 * makes safe when replicas race), once per process, and tried again until it is made. The counting limiter is told
 * its table exists, so it never tries to make it itself (with no callback, the library throws that failure at the
 * process); a second instance of the same options makes it, and then deletes expired rows every few minutes, as the
 * library does for its own table (`clearExpiredByTimeout`).
 */
export function postgresLimiter(
  options: PostgresLimiterOptions,
  {
    onTableError = () => undefined,
    retryMs = RETRY_MS,
  }: {
    /** Told each failure to make the table. */
    onTableError?: (error: unknown) => void;
    /** How long a failure stands before ready() tries again (0: every call tries). */
    retryMs?: number;
  } = {},
): PostgresLimiter {
  const limiter = new RateLimiterPostgres({ ...options, tableCreated: true, clearExpiredByTimeout: false });
  let made: Promise<void> | undefined;
  let failedAt: number | undefined;
  const make = () =>
    new Promise<void>((resolve, reject) => {
      new RateLimiterPostgres({ ...options, tableCreated: false }, (error?: unknown) =>
        error
          ? reject(error instanceof Error ? error : new Error('the rate limit table was not made', { cause: error }))
          : resolve(),
      );
    });
  return {
    limiter,
    ready() {
      if (made === undefined || (failedAt !== undefined && Date.now() - failedAt >= retryMs)) {
        failedAt = undefined;
        made = make().catch((error: unknown) => {
          failedAt = Date.now();
          onTableError(error);
          throw error;
        });
        // Every caller handles the failure; this stops the memoised promise alone from counting as unhandled.
        made.catch(() => undefined);
      }
      return made;
    },
  };
}
