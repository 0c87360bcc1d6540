// `node tooling/bench/dist/render-report.js <bench-….json> [--figures <dir>]` (the package's `report` script): renders a saved run's HTML
// report again, next to its JSON (for a run made before the report existed, or after the report's figures changed).
// With --figures, also each figure as an SVG file of its own in <dir> (`<figure id>.svg`), for pages that show
// pictures but not HTML: docs/benchmark.md shows the latest run's this way.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderFigures, renderHtmlReport, type BenchOutput } from './html-report';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { figures: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file?.endsWith('.json') || positionals.length !== 1) {
    console.error('usage: report <bench-results/bench-….json> [--figures <dir>]');
    return 2;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchOutput;
  const out = file.replace(/\.json$/, '.html');
  writeFileSync(out, await renderHtmlReport(report));
  console.log(`written to ${out}`);
  if (values.figures) {
    mkdirSync(values.figures, { recursive: true });
    for (const figure of await renderFigures(report)) {
      const svgFile = join(values.figures, `${figure.id}.svg`);
      // Vega's SVG names its XML namespace, so the file is an image as it stands.
      writeFileSync(svgFile, `${figure.svg}\n`);
      console.log(`figure written to ${svgFile}`);
    }
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
