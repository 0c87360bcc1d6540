import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir, removeTempDir, tempDir } from '../temp-dir.js';

const FIXTURES = resolve(__dirname, 'fixtures');
const HELPER = resolve(__dirname, '../temp-dir.js');

/** The fixture test file under the preset's environment, in a jest of its own; what it made, and its output. */
function runFixture(keep: boolean) {
  const report = join(tempDir('temp-dir-test-'), 'report.json');
  const config = {
    rootDir: FIXTURES,
    testEnvironment: resolve(__dirname, '../environment.js'),
    testMatch: ['<rootDir>/temp-dirs.fixture.js'],
    transform: {},
  };
  const { KEEP_TEST_DIRS: _inherited, ...env } = process.env;
  const run = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci', '--no-watchman'],
    {
      cwd: FIXTURES,
      env: { ...env, FIXTURE_REPORT: report, ...(keep ? { KEEP_TEST_DIRS: '1' } : {}) },
      encoding: 'utf8',
    },
  );
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`the fixture's jest failed (${run.status}):\n${output}`);
  const { made, goneInAfterAll } = JSON.parse(readFileSync(report, 'utf8')) as {
    made: string[];
    goneInAfterAll: string[];
  };
  return { made, goneInAfterAll, output };
}

describe('tempDir, in a test file', () => {
  it("keeps each folder through the file's last afterAll, and removes it once the file is done", () => {
    const { made, goneInAfterAll } = runFixture(false);
    expect(made).toHaveLength(3);
    expect(goneInAfterAll).toEqual([]);
    expect(made.filter((dir) => existsSync(dir))).toEqual([]);
  });

  it('keeps every folder with KEEP_TEST_DIRS=1, and prints where each one is, once', () => {
    const { made, output } = runFixture(true);
    try {
      expect(made.filter((dir) => existsSync(dir))).toEqual(made);
      expect(existsSync(join(made[2]!, 'ledger.sqlite'))).toBe(true);
      for (const dir of made) expect(output.split(`KEEP_TEST_DIRS=1: kept ${dir}\n`)).toHaveLength(2);
    } finally {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses outside a jest test file, and says what to use there', () => {
    const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(HELPER)}).tempDir('temp-dir-outside-')`], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('elsewhere, use makeTempDir() and call its remove()');
  });
});

describe('makeTempDir, for a global set-up or a harness outside jest', () => {
  const saved = process.env.KEEP_TEST_DIRS;
  afterEach(() => {
    if (saved === undefined) delete process.env.KEEP_TEST_DIRS;
    else process.env.KEEP_TEST_DIRS = saved;
    jest.restoreAllMocks();
  });

  it('removes its folder when told, once', () => {
    delete process.env.KEEP_TEST_DIRS;
    const dir = makeTempDir('temp-dir-own-');
    expect(existsSync(dir.path)).toBe(true);
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
    expect(() => dir.remove()).not.toThrow();
  });

  it('keeps it with KEEP_TEST_DIRS=1, and prints where it is once', () => {
    process.env.KEEP_TEST_DIRS = '1';
    const printed = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const dir = makeTempDir('temp-dir-own-');
    try {
      dir.remove();
      dir.remove();
      expect(existsSync(dir.path)).toBe(true);
      expect(printed.mock.calls).toEqual([[`KEEP_TEST_DIRS=1: kept ${dir.path}\n`]]);
    } finally {
      delete process.env.KEEP_TEST_DIRS;
      removeTempDir(dir.path);
    }
    expect(existsSync(dir.path)).toBe(false);
  });
});
