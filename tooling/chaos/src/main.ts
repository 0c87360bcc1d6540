#!/usr/bin/env node
/**
 * `pnpm test:chaos`: the chaos suite at full size. Loopback only, bounded in count and time. Prints a summary,
 * writes the JSON report to chaos-results/, and exits 1 on any mismatch.
 *
 *   pnpm test:chaos [--server dev|postgres] [--orders 200] [--fault-every 3] [--pace 400] [--timeout 900]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseServerKind } from '@durable-delivery/temporal-cluster';
import { resultsDir, runChaos } from './chaos';
import { formatReport } from './report';

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      server: { type: 'string', default: 'dev' },
      orders: { type: 'string', default: '200' },
      'fault-every': { type: 'string', default: '3' },
      pace: { type: 'string', default: '400' },
      timeout: { type: 'string', default: '900' },
    },
  });
  const number = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return value;
  };
  const report = await runChaos({
    server: parseServerKind(values.server, '--server'),
    orders: Math.floor(number('orders', values.orders)),
    faultEverySeconds: number('fault-every', values['fault-every']),
    paceMs: number('pace', values.pace),
    timeoutSeconds: number('timeout', values.timeout),
    log: (line) => console.log(`· ${line}`),
  });
  const file = join(resultsDir(), `chaos-${report.server}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${formatReport(report)}\n\nwritten to ${file}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
