import type { ChaosReport } from './chaos';

/** The readable summary printed after a run (the JSON report has the same facts). */
export function formatReport(report: ChaosReport): string {
  const lines = [
    `chaos: ${report.orders} orders in ${report.seconds} s — ${report.ok ? 'ALL RECONCILED' : 'MISMATCHES FOUND'}`,
    `faults injected: ${report.faults.workerKills} worker SIGKILLs, ${report.faults.serverRestarts} dev server restarts, ${report.faults.paymentOutages} payment outages`,
    `final states: ${Object.entries(report.finalStates)
      .map(([state, count]) => `${state} ${count}`)
      .join(', ')}`,
    ...Object.entries(report.checks).map(([name, check]) => `  ${check.ok ? 'ok  ' : 'FAIL'} ${name}: ${check.detail}`),
    ...report.mismatches.map((line) => `  mismatch: ${line}`),
  ];
  return lines.join('\n');
}
