import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The tests once made their folders with mkdtemp directly and most never removed them: /tmp held gigabytes of their
// databases, bundles and logs after a day of runs. Every test file and harness now goes through temp-dir.js.

const ROOT = resolve(__dirname, '../../..');
// Built from parts, so that this file does not call it.
const MKDTEMP = new RegExp(['\\bmkdtemp', '(?:Sync)?\\s*\\('].join(''));

/** Each file that may still call mkdtemp itself, with why. */
const EXCEPTIONS = new Map<string, string>([
  ...[
    'packages/accounts/test/accounts.test.mjs',
    'packages/accounts/test/cli.test.mjs',
    'packages/accounts/test/shared-throttle.test.mjs',
    'packages/accounts/test/sign-in.test.mjs',
  ].map((path): [string, string] => [path, 'node:test, not jest (no preset environment); removes it in after()']),
  [
    'tooling/bootstrap/test/app-env.test.mjs',
    'node:test, not jest, in the package that installs the workspace (so it cannot depend on it); removes it in afterEach()',
  ],
]);

/** Test code: test files, their helpers, harnesses and global set-ups, and the end-to-end suite. */
function isTestCode(path: string): boolean {
  const parts = path.split('/');
  return (
    /\.(?:[cm]?[jt]s|tsx)$/.test(path) &&
    (parts.includes('test') || parts.includes('tests') || parts[0] === 'e2e' || /\.(?:test|spec)\.\w+$/.test(path))
  );
}

// Tracked files and new ones, not what git ignores (dependencies, builds, the scaffold's packed template).
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
  cwd: ROOT,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
})
  .split('\0')
  .filter((path) => path !== '' && isTestCode(path));
const callers = files.filter((path) => {
  try {
    return MKDTEMP.test(readFileSync(join(ROOT, path), 'utf8'));
  } catch {
    return false; // deleted in the working tree, not yet in git
  }
});

it('finds the test code it scans', () => {
  expect(files).toEqual(expect.arrayContaining(['packages/api/test/harness.ts', 'e2e/harness/prometheus.ts']));
});

it('leaves temporary folders to temp-dir.js in every test file and harness', () => {
  expect(callers.filter((path) => !EXCEPTIONS.has(path))).toEqual([]);
});

it('has no exception for a file that no longer needs one', () => {
  expect([...EXCEPTIONS.keys()].filter((path) => !callers.includes(path))).toEqual([]);
});
