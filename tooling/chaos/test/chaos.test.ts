import { parseServerKind } from '@durable-delivery/temporal-cluster';
import { formatReport, runChaos } from '../src';

// The CI-sized chaos run: every fault kind, every order path, everything reconciled — on the dev server, and again on
// the full Temporal server on PostgreSQL (see jest.config.js). `pnpm test:chaos` is the big one.
const server = parseServerKind(process.env.TEST_TEMPORAL_SERVER);

it(`loses nothing and does nothing twice while workers die, the ${server} server restarts and payments go down`, async () => {
  const report = await runChaos({ server, orders: 20, faultEverySeconds: 2, paceMs: 600, timeoutSeconds: 420 });
  console.log(formatReport(report));
  expect(report.server).toBe(server);
  expect(report.mismatches).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.faults.workerKills).toBeGreaterThan(0);
  expect(report.faults.serverRestarts).toBeGreaterThan(0);
  expect(report.faults.paymentOutages).toBeGreaterThan(0);
  expect(report.finalStates).toMatchObject({ delivered: 14, paymentFailed: 2, cancelled: 2, refunded: 2 });
}, 480_000);
