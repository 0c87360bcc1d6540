import { TEMPORAL_SERVER_TITLES } from '@durable-delivery/temporal-cluster';
import type { ChaosReport } from './chaos';

/** The readable summary printed after a run (the JSON report has the same facts). */
export function formatReport(report: ChaosReport): string {
  const lines = [
    `chaos: ${report.orders} orders in ${report.seconds} s on the ${TEMPORAL_SERVER_TITLES[report.server]} — ${report.ok ? 'ALL RECONCILED' : 'MISMATCHES FOUND'}`,
    `faults injected: ${report.faults.workerKills} worker SIGKILLs, ${report.faults.serverRestarts} Temporal server restarts, ${report.faults.paymentOutages} payment outages`,
    `final states: ${Object.entries(report.finalStates)
      .map(([state, count]) => `${state} ${count}`)
      .join(', ')}`,
    ...Object.entries(report.checks).map(([name, check]) => `  ${check.ok ? 'ok  ' : 'FAIL'} ${name}: ${check.detail}`),
    ...report.mismatches.map((line) => `  mismatch: ${line}`),
  ];
  return lines.join('\n');
}
