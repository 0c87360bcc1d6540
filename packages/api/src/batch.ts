/**
 * Procedures one HTTP request may call: the server refuses bigger batches (one request carried 1,000), and the
 * apps' batch link splits at this many, so a page never meets the refusal. Its own module, with no imports: the
 * apps' root client component reads it, and every page loads that.
 */
export const MAX_BATCH_CALLS = 20;
