import { formatReport, runChaos } from '../src';

// The CI-sized chaos run: every fault kind, every order path, everything reconciled. `pnpm test:chaos` is the big one.
it('loses nothing and does nothing twice while workers die, the server restarts and payments go down', async () => {
  const report = await runChaos({ orders: 20, faultEverySeconds: 2, paceMs: 600, timeoutSeconds: 420 });
  console.log(formatReport(report));
  expect(report.mismatches).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.faults.workerKills).toBeGreaterThan(0);
  expect(report.faults.serverRestarts).toBeGreaterThan(0);
  expect(report.faults.paymentOutages).toBeGreaterThan(0);
  expect(report.finalStates).toMatchObject({ delivered: 14, paymentFailed: 2, cancelled: 2, refunded: 2 });
}, 480_000);
