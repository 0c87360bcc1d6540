// `pnpm --filter @durable-delivery/bench run report <bench-….json>`: renders a saved run's HTML report again, next
// to its JSON (for a run made before the report existed, or after the report's figures changed).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderHtmlReport, type BenchOutput } from './html-report';

async function main([file]: string[]): Promise<number> {
  if (!file?.endsWith('.json')) {
    console.error('usage: report <bench-results/bench-….json>');
    return 2;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchOutput;
  const out = file.replace(/\.json$/, '.html');
  writeFileSync(out, await renderHtmlReport(report));
  console.log(`written to ${out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
