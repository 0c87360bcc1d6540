import { z } from 'zod';

/** Fault injection, settable at runtime (a service's PUT /v1/faults, a simulator's update) so demos and tests can show Temporal retrying. */
export const faultSettingsSchema = z
  .object({
    /** Share of requests, 0 to 1, that fail as if the service answered 500 before anything is processed. */
    errorRate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
    /** Delay before every request is processed, in milliseconds. */
    latencyMs: z.number().int('must be a whole number of milliseconds').min(0).max(60_000),
    /** Every request fails as unavailable (503) until this is switched off. */
    outage: z.boolean(),
  })
  .strict();

export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export const NO_FAULTS: FaultSettings = { errorRate: 0, latencyMs: 0, outage: false };

// Every runtime this runs in has it (Node, browsers); declared so the package needs no Node types.
declare function setTimeout(callback: () => void, ms: number): unknown;

/**
 * The fault controls of the payment and notification services and of their in-process simulators: each turns the
 * verdict into its own failure (an HTTP 503 or 500, a thrown ServiceUnavailableError).
 */
export class Faults {
  private settings: FaultSettings;

  constructor(
    initial: Partial<FaultSettings> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.settings = checked({ ...NO_FAULTS, ...initial });
  }

  get current(): FaultSettings {
    return this.settings;
  }

  /** Applies a partial change and returns the new settings; throws (a ZodError naming the field) on a bad value. */
  update(changes: Partial<FaultSettings>): FaultSettings {
    this.settings = checked({ ...this.settings, ...changes });
    return this.settings;
  }

  /** What this request runs into: nothing, an outage or an injected error (after the configured latency). */
  async apply(): Promise<'outage' | 'error' | undefined> {
    const { latencyMs, outage, errorRate } = this.settings;
    if (latencyMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, latencyMs));
    if (outage) return 'outage';
    if (errorRate > 0 && this.random() < errorRate) return 'error';
    return undefined;
  }
}

/** The three settings, validated: a caller may hand over a larger object (the worker passes a service's config). */
function checked({ errorRate, latencyMs, outage }: FaultSettings): FaultSettings {
  return faultSettingsSchema.parse({ errorRate, latencyMs, outage });
}
