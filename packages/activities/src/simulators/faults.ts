import { ServiceUnavailableError } from '../clients';

export interface FaultSettings {
  /** Share of calls, 0 to 1, that fail as if the service answered 503. */
  readonly errorRate: number;
  /** Delay added to every call, in milliseconds. */
  readonly latencyMs: number;
  /** Every call fails until this is switched off again. */
  readonly outage: boolean;
}

export const noFaults: FaultSettings = { errorRate: 0, latencyMs: 0, outage: false };

/**
 * Failure injection for the in-process simulators, settable while they run, so demos and tests can show
 * Temporal retrying through an outage.
 */
export class Faults {
  private settings: FaultSettings;

  constructor(
    private readonly service: string,
    initial: Partial<FaultSettings> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.settings = validate({ ...noFaults, ...initial });
  }

  get current(): FaultSettings {
    return this.settings;
  }

  set(changes: Partial<FaultSettings>): FaultSettings {
    this.settings = validate({ ...this.settings, ...changes });
    return this.settings;
  }

  async apply(): Promise<void> {
    const { latencyMs, outage, errorRate } = this.settings;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (outage) throw new ServiceUnavailableError(`${this.service} is unavailable (simulated outage)`);
    if (errorRate > 0 && this.random() < errorRate) {
      throw new ServiceUnavailableError(`${this.service} is temporarily unavailable (simulated error)`);
    }
  }
}

function validate(settings: FaultSettings): FaultSettings {
  if (!(settings.errorRate >= 0 && settings.errorRate <= 1)) {
    throw new RangeError(`errorRate must be between 0 and 1, got ${settings.errorRate}`);
  }
  if (!(Number.isFinite(settings.latencyMs) && settings.latencyMs >= 0)) {
    throw new RangeError(`latencyMs must be a non-negative number, got ${settings.latencyMs}`);
  }
  return settings;
}
