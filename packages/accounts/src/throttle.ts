import { RateLimiterMemory } from 'rate-limiter-flexible';

/** How many failed sign-ins each key may have in a window before sign-in is refused for the rest of the window. */
export interface ThrottleLimits {
  /** Failures per account (whatever address they come from): default 5 per 15 minutes. */
  readonly perAccount: { readonly failures: number; readonly windowSeconds: number };
  /** Failures per client address (whichever accounts they try): default 20 per 15 minutes. */
  readonly perAddress: { readonly failures: number; readonly windowSeconds: number };
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  perAccount: { failures: 5, windowSeconds: 15 * 60 },
  perAddress: { failures: 20, windowSeconds: 15 * 60 },
};

/**
 * Sign-in throttling with rate-limiter-flexible, in memory (one app process). Only failures count, so drivers who
 * type their password right are never slowed; once an account or an address has used up its failures, every
 * attempt — the right password too — is refused until the window ends, which is what the answer's Retry-After says.
 */
export class SignInThrottle {
  private readonly byAccount: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(limits: ThrottleLimits = DEFAULT_THROTTLE) {
    this.byAccount = new RateLimiterMemory({
      keyPrefix: 'sign-in-account',
      points: limits.perAccount.failures,
      duration: limits.perAccount.windowSeconds,
    });
    this.byAddress = new RateLimiterMemory({
      keyPrefix: 'sign-in-address',
      points: limits.perAddress.failures,
      duration: limits.perAddress.windowSeconds,
    });
  }

  /** Seconds until this account and address may try again, or 0 when they may try now. */
  async retryAfter(account: string, address: string): Promise<number> {
    const [byAccount, byAddress] = await Promise.all([this.byAccount.get(account), this.byAddress.get(address)]);
    const waits = [byAccount, byAddress]
      .filter((state) => state !== null && state.remainingPoints <= 0)
      .map((state) => state!.msBeforeNext);
    return waits.length ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : 0;
  }

  async failed(account: string, address: string): Promise<void> {
    // consume() rejects once a key is out of points; that is the throttle working, not an error.
    await Promise.all([
      this.byAccount.consume(account).catch(() => undefined),
      this.byAddress.consume(address).catch(() => undefined),
    ]);
  }

  /** A right password clears the account's failures (not the address's: one right guess does not earn more). */
  async succeeded(account: string): Promise<void> {
    await this.byAccount.delete(account);
  }
}
