const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Leaves this package's pass/fail counts where the test command can add them up into one closing line for the
 * whole repository (see tooling/bootstrap/run.mjs). Does nothing when jest runs on its own.
 */
class CountReporter {
  onRunComplete(_contexts, results) {
    const dir = process.env.DURABLE_DELIVERY_TEST_REPORT_DIR;
    if (!dir) return;
    const file = join(dir, `${process.pid}-${Date.now()}.json`);
    // Each failed test's name and error, for the closing summary (summary.js).
    const failures = results.testResults.flatMap((file) =>
      file.testResults
        .filter((test) => test.status === 'failed')
        .map((test) => ({ name: test.fullName, message: test.failureMessages.join('\n') }))
        .concat(file.testExecError ? [{ name: file.testFilePath, message: file.testExecError.message ?? '' }] : []),
    );
    writeFileSync(file, JSON.stringify({ passed: results.numPassedTests, failed: results.numFailedTests, failures }));
  }
}

module.exports = CountReporter;
