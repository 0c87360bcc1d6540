// node:test's counterpart of count-reporter.js, for the packages tested with `node --test`: leaves a package's
// pass/fail counts where `npm test` adds them up into its closing line. Writes nothing to its own stream (the spec
// reporter prints the tests).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  for await (const event of source) {
    // Suites report too; only tests (no subtests of their own) are counted, as jest counts them.
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.details?.type !== 'suite') {
      if (event.type === 'test:pass') passed += 1;
      else {
        failed += 1;
        const error = event.data.details?.error;
        failures.push({ name: event.data.name, message: String(error?.cause?.message ?? error?.message ?? error) });
      }
    }
  }
  const dir = process.env.DURABLE_DELIVERY_TEST_REPORT_DIR;
  if (dir) writeFileSync(join(dir, `${process.pid}-${Date.now()}.json`), JSON.stringify({ passed, failed, failures }));
  yield '';
}
