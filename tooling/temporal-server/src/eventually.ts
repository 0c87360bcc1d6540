/**
 * Bounded polling for what a Temporal server makes true eventually (visibility, a restarted server answering):
 * at most `attempts` tries, `intervalMs` apart, then an error. Never a timing assertion, only a bound: by default a
 * minute, since on a busy two-core machine 20 s was sometimes not enough.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, attempts = 300, intervalMs = 200): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met after ${attempts} attempts`);
}
