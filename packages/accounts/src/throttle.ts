import { RateLimiterMemory } from 'rate-limiter-flexible';

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
 * Sign-in throttling with rate-limiter-flexible, in memory (one app process), after the library's documented login
 * protection: failures are counted per account and address, per account, and per address. Only failures count, so
 * drivers who type their password right are never slowed; a key that has used up its failures refuses every
 * attempt — the right password too — until its window ends, which is what the answer's Retry-After says. Someone
 * guessing a driver's password from one address locks out only themselves: the driver, elsewhere, still signs in;
 * only guessing spread over many addresses reaches the account's own, larger budget.
 */
export class SignInThrottle {
  private readonly byAccountFromAddress: RateLimiterMemory;
  private readonly byAccount: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(limits: ThrottleLimits = DEFAULT_THROTTLE) {
    const limiter = (keyPrefix: string, budget: Budget) =>
      new RateLimiterMemory({ keyPrefix, points: budget.failures, duration: budget.windowSeconds });
    this.byAccountFromAddress = limiter('sign-in-account-address', limits.perAccountFromAddress);
    this.byAccount = limiter('sign-in-account', limits.perAccount);
    this.byAddress = limiter('sign-in-address', limits.perAddress);
  }

  /** Seconds until this account and address may try again, or 0 when they may try now. */
  async retryAfter(account: string, address: string): Promise<number> {
    const states = await Promise.all(this.keys(account, address).map(([limiter, key]) => limiter.get(key)));
    const waits = states
      .filter((state) => state !== null && state.remainingPoints <= 0)
      .map((state) => state!.msBeforeNext);
    return waits.length ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : 0;
  }

  async failed(account: string, address: string): Promise<void> {
    // consume() rejects once a key is out of points; that is the throttle working, not an error.
    await Promise.all(this.keys(account, address).map(([limiter, key]) => limiter.consume(key).catch(() => undefined)));
  }

  /**
   * A right password clears this address's failures for the account (a driver's own typos are forgiven), not the
   * account's or the address's: one right sign-in earns a guesser elsewhere nothing.
   */
  async succeeded(account: string, address: string): Promise<void> {
    await this.byAccountFromAddress.delete(pair(account, address));
  }

  private keys(account: string, address: string): [RateLimiterMemory, string][] {
    return [
      [this.byAccountFromAddress, pair(account, address)],
      [this.byAccount, account],
      [this.byAddress, address],
    ];
  }
}

const pair = (account: string, address: string) => `${account}|${address}`;
