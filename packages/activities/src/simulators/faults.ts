import type { Faults } from '@durable-delivery/provider-rules';
import { ServiceUnavailableError } from '../clients';

/**
 * Runs the simulator's injected faults for one call (the same Faults the services use): an outage or an injected
 * error fails it as unavailable, the way the HTTP clients report a service's 503 or 500, so Temporal retries it.
 */
export async function failOnFault(faults: Faults, service: string): Promise<void> {
  const fault = await faults.apply();
  if (fault === 'outage') throw new ServiceUnavailableError(`${service} is unavailable (simulated outage)`);
  if (fault === 'error') throw new ServiceUnavailableError(`${service} is temporarily unavailable (simulated error)`);
}
