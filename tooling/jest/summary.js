const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

/**
 * The one closing line of `npm test`: the counts every package's jest left in `reportDir` (see count-reporter.js),
 * added up, and the exit status of the whole run. A run whose tasks failed (a build, a lint, a test set-up that threw
 * before any test) is never summed up as a pass: it counts at least one failure, and says where to look.
 */
function summarize(reportDir, taskStatus) {
  let passed = 0;
  let failed = 0;
  for (const file of readdirSync(reportDir)) {
    const counts = JSON.parse(readFileSync(join(reportDir, file), 'utf8'));
    passed += counts.passed;
    failed += counts.failed;
  }
  const lines = [];
  if (taskStatus !== 0 && failed === 0) {
    failed = 1;
    lines.push(`A task failed outside the tests (Turborepo exited ${taskStatus}); its output is above.`);
  }
  if (taskStatus === 0 && passed === 0) lines.push('No test ran: that is a failure, not a pass.');
  lines.push(`${passed} passed, ${failed} failed`);
  const status = taskStatus !== 0 ? taskStatus : failed > 0 || passed === 0 ? 1 : 0;
  return { lines, status };
}

module.exports = { summarize };
