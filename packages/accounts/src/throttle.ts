import type { Pool } from 'pg';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { postgresLimiter } from '@durable-delivery/postgres-kit';

interface Budget {
  readonly failures: number;
  readonly windowSeconds: number;
}

/** How many failed sign-ins each key may have in a window before sign-in is refused for the rest of the window. */
export interface ThrottleLimits {
  /** Failures for one account from one address: default 5 per 15 minutes. Stops a guesser, not the driver. */
  readonly perAccountFromAddress: Budget;
  /** Failures for one account from all addresses together: default 50 per hour. Bounds guessing spread over many. */
  readonly perAccount: Budget;
  /** Failures from one address, whichever accounts they try: default 20 per 15 minutes. */
  readonly perAddress: Budget;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  perAccountFromAddress: { failures: 5, windowSeconds: 15 * 60 },
  perAccount: { failures: 50, windowSeconds: 60 * 60 },
  perAddress: { failures: 20, windowSeconds: 15 * 60 },
};

/**
 * The throttle could not read or write its counts (the accounts database did not answer). Sign-in answers 503: the
 * password cannot be checked without that database either, and a guess that is not counted is not let through.
 */
export class ThrottleUnavailableError extends Error {
  override readonly name = 'ThrottleUnavailableError';
}

/**
 * Sign-in throttling with rate-limiter-flexible, after the library's documented login protection: failures are
 * counted per account and address, per account, and per address. Only failures count, so drivers who type their
 * password right are never slowed; a key that has used up its failures refuses every attempt — the right password
 * too — until its window ends, which is what the answer's Retry-After says. Someone guessing a driver's password
 * from one address locks out only themselves: the driver, elsewhere, still signs in; only guessing spread over many
 * addresses reaches the account's own, larger budget.
 *
 * The counts live where the accounts do. With PostgreSQL (`postgres`, the accounts' own pool) every replica of the
 * driver app counts in the same tables, so N replicas allow a guesser the budget once, not N times. With SQLite
 * (one process, `npm run dev`) they stay in this process's memory.
 *
 * When PostgreSQL does not answer, the throttle fails closed (ThrottleUnavailableError, a 503), not over to memory
 * (the library's insuranceLimiter): the accounts are in that same database, so no sign-in could succeed meanwhile
 * anyway, and counting in memory would give a guesser each replica's budget again for as long as the outage lasts.
 */
export class SignInThrottle {
  private readonly byAccountFromAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  /** Resolves once every table exists (PostgreSQL); tried again on a later sign-in while it cannot. */
  private readonly ready: () => Promise<unknown>;

  constructor(limits: ThrottleLimits = DEFAULT_THROTTLE, postgres?: Pool) {
    const tables: (() => Promise<void>)[] = [];
    const limiter = (keyPrefix: string, budget: Budget): RateLimiterAbstract => {
      const options = { keyPrefix, points: budget.failures, duration: budget.windowSeconds };
      if (!postgres) return new RateLimiterMemory(options);
      const shared = postgresLimiter(
        { ...options, storeClient: postgres, storeType: 'pool', tableName: keyPrefix.replaceAll('-', '_') },
        // Sign-ins are few and wait for the database anyway: each one tries to make a missing table again.
        { retryMs: 0 },
      );
      tables.push(() => shared.ready());
      return shared.limiter;
    };
    this.byAccountFromAddress = limiter('sign-in-account-address', limits.perAccountFromAddress);
    this.byAccount = limiter('sign-in-account', limits.perAccount);
    this.byAddress = limiter('sign-in-address', limits.perAddress);
    this.ready = () => Promise.all(tables.map((made) => made()));
  }

  /** Seconds until this account and address may try again, or 0 when they may try now. */
  async retryAfter(account: string, address: string): Promise<number> {
    const states = await this.counting(() =>
      Promise.all(this.keys(account, address).map(([limiter, key]) => limiter.get(key))),
    );
    const waits = states
      .filter((state) => state !== null && state.remainingPoints <= 0)
      .map((state) => state!.msBeforeNext);
    return waits.length ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : 0;
  }

  async failed(account: string, address: string): Promise<void> {
    await this.counting(() =>
      Promise.all(
        this.keys(account, address).map(([limiter, key]) =>
          limiter.consume(key).catch((refusal: unknown) => {
            // consume() rejects with the key's state once it is out of points: that is the throttle working. An
            // Error is the store failing, and a failure it did not count must not pass unnoticed.
            if (refusal instanceof Error) throw refusal;
          }),
        ),
      ),
    );
  }

  /**
   * A right password clears this address's failures for the account (a driver's own typos are forgiven), not the
   * account's or the address's: one right sign-in earns a guesser elsewhere nothing.
   */
  async succeeded(account: string, address: string): Promise<void> {
    await this.counting(() => this.byAccountFromAddress.delete(pair(account, address)));
  }

  /** Runs a step on the counts once their tables exist; a store that fails is ThrottleUnavailableError. */
  private async counting<T>(step: () => Promise<T>): Promise<T> {
    try {
      await this.ready();
      return await step();
    } catch (error) {
      throw new ThrottleUnavailableError(
        `the sign-in throttle's store did not answer: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  private keys(account: string, address: string): [RateLimiterAbstract, string][] {
    return [
      [this.byAccountFromAddress, pair(account, address)],
      [this.byAccount, account],
      [this.byAddress, address],
    ];
  }
}

const pair = (account: string, address: string) => `${account}|${address}`;
