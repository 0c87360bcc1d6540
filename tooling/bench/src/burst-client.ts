/**
 * The burst's client, in a process of its own (see burst-bench.ts): a thousand answers arriving at once keep a
 * Node event loop busy, and in the bench's own process that time would be counted as the other customers' and the
 * probe's latency. `node burst-client.js <menu url> <cookie> <order id> <count>`; prints one JSON line of
 * `{ statuses, ms }` (status 0: the connection failed).
 */
import { statusCall } from './app-api';

async function main(): Promise<void> {
  const [menuUrl = '', cookie = '', orderId = '', count = '0'] = process.argv.slice(2);
  const signal = AbortSignal.timeout(300_000);
  const answers = await Promise.all(
    Array.from({ length: Number(count) }, () => statusCall(menuUrl, cookie, orderId, signal)),
  );
  process.stdout.write(
    `${JSON.stringify({ statuses: answers.map((answer) => answer.value), ms: answers.map((answer) => answer.ms) })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
