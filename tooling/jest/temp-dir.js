const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * The tests' temporary folders, and the one rule for them: a folder goes when what made it is done, unless
 * KEEP_TEST_DIRS=1, which keeps every one (and prints where it is) for someone reading a failure. Left behind, the
 * suites' SQLite files, bundles and logs filled /tmp by gigabytes a day.
 */

/**
 * Set in every test file by the preset's environment (environment.js), which removes the folders noted through it
 * once the file is done: after its last afterAll, so a server or a database still open in one is stopped first.
 */
const NOTE = '__durableDeliveryNoteTempDir';

/** Removes `path` and all in it; with KEEP_TEST_DIRS=1, leaves it and says where it is. */
function removeTempDir(path) {
  if (process.env.KEEP_TEST_DIRS === '1') process.stderr.write(`KEEP_TEST_DIRS=1: kept ${path}\n`);
  else rmSync(path, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * A new folder (in the system's temporary folder, or in `parent`) that is removed when the test file ends. For jest
 * test files and what they call (harnesses, hooks, tests): anywhere in the file, at any time.
 */
function tempDir(prefix, parent) {
  const note = globalThis[NOTE];
  if (typeof note !== 'function') {
    throw new Error(
      'tempDir() works in jest test files run with the @durable-delivery/jest-config preset (its environment ' +
        'removes the folders); elsewhere, use makeTempDir() and call its remove().',
    );
  }
  const path = mkdtempSync(join(parent ?? tmpdir(), prefix));
  note(path);
  return path;
}

/**
 * A new folder for code that owns a lifecycle outside a test file (a global set-up, a Playwright harness): removed
 * by `remove()` (once, however often it is called), which its owner calls once whatever used the folder has stopped.
 */
function makeTempDir(prefix, parent) {
  const path = mkdtempSync(join(parent ?? tmpdir(), prefix));
  let removed = false;
  return {
    path,
    remove() {
      if (removed) return;
      removed = true;
      removeTempDir(path);
    },
  };
}

module.exports = { tempDir, makeTempDir, removeTempDir, NOTE };
