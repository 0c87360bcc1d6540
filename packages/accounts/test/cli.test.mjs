// The operators' command (`npm run drivers -- …`, dist/cli.js) on a real SQLite file, as an operator runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadAccountsConfig, openAccounts } from '../dist/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accounts-cli-'));
const database = join(dir, 'accounts.db');
after(() => rmSync(dir, { recursive: true, force: true }));

function drivers(args, input) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, ACCOUNTS_DATABASE_URL: database },
    input: input ?? '',
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function signsIn(username, password) {
  const accounts = await openAccounts(
    loadAccountsConfig({ ACCOUNTS_DATABASE_URL: database, ACCOUNTS_SECRET: 'x'.repeat(32) }),
  );
  try {
    return await accounts.signIn(username, password);
  } finally {
    await accounts.close();
  }
}

describe('npm run drivers', () => {
  it('adds a driver with a generated password, printed once, and the password signs in', async () => {
    const added = drivers(['add', 'dana', '--name', 'Dana Scully']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /^Added driver dana \("Dana Scully", id d-[0-9a-f-]{36}\)\.\nPassword \(shown once; hand it over privately\): (\S{24})\n$/,
    );
    const password = /: (\S+)\n$/.exec(added.stdout)[1];
    assert.equal((await signsIn('dana', password)).ok, true);
  });

  it('reads a password from stdin, never from the command line, and lists drivers', async () => {
    const added = drivers(['add', 'eli', '--name', 'Eli', '--password-stdin', '--json'], 'eli-typed-password\n');
    assert.equal(added.code, 0, added.stderr);
    const json = JSON.parse(added.stdout);
    assert.equal(json.username, 'eli');
    assert.equal(json.password, undefined);
    assert.equal((await signsIn('eli', 'eli-typed-password')).ok, true);
    const listed = drivers(['list']);
    assert.match(
      listed.stdout,
      /^USERNAME +NAME +STATUS +ID\ndana +Dana Scully +active +d-\S+\neli +Eli +active +d-\S+\n$/,
    );
  });

  it('disables (sign-in refused), enables, resets a password and signs a driver out everywhere', async () => {
    drivers(['add', 'fay', '--name', 'Fay', '--password-stdin'], 'fay-first-password\n');
    const disabled = drivers(['disable', 'fay']);
    assert.equal(disabled.code, 0);
    assert.match(disabled.stdout, /^Disabled fay .*they cannot sign in, and their sessions have ended\.\n$/);
    assert.deepEqual(await signsIn('fay', 'fay-first-password'), { ok: false, reason: 'disabled' });
    assert.match(drivers(['list']).stdout, /fay +Fay +disabled/);
    assert.equal(drivers(['enable', 'fay']).code, 0);
    assert.equal((await signsIn('fay', 'fay-first-password')).ok, true);

    const reset = drivers(['reset-password', 'fay']);
    assert.equal(reset.code, 0);
    const password = /: (\S+)\n$/.exec(reset.stdout)[1];
    assert.deepEqual(await signsIn('fay', 'fay-first-password'), { ok: false, reason: 'invalid' });
    assert.equal((await signsIn('fay', password)).ok, true);
    const signedOut = drivers(['sign-out', 'fay']);
    assert.equal(signedOut.stdout, 'Signed fay out: 1 session ended.\n');
  });

  it('explains mistakes: exit 1 for a refused request, 2 for a usage error, with the usage', () => {
    const taken = drivers(['add', 'dana', '--name', 'Another Dana']);
    assert.deepEqual([taken.code, taken.stderr], [1, 'A driver with the username "dana" already exists.\n']);
    const unknown = drivers(['disable', 'nobody']);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'No driver has the username "nobody".\n']);
    const noName = drivers(['add', 'gus']);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /^"add" needs --name "<display name>"\n\nUsage: npm run drivers -- <command>/);
    const bad = drivers(['add', 'Not Valid', '--name', 'X']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not a valid username/);
    assert.equal(drivers(['frobnicate', 'x']).code, 2);
    assert.equal(drivers(['add', 'hal', '--name', 'Hal', '--password-stdin'], 'short\n').code, 1);
    const noStore = spawnSync(process.execPath, [CLI, 'list'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    assert.equal(noStore.status, 1);
    assert.match(noStore.stderr, /ACCOUNTS_DATABASE_URL: is required/);
  });

  it('seeds the development drivers once, and never in production', () => {
    const seeded = drivers(['seed-development']);
    assert.equal(seeded.code, 0);
    assert.match(drivers(['list']).stdout, /dana[\s\S]*eli/);
    const production = spawnSync(process.execPath, [CLI, 'seed-development'], {
      env: { PATH: process.env.PATH, ACCOUNTS_DATABASE_URL: join(dir, 'production.db'), NODE_ENV: 'production' },
      encoding: 'utf8',
    });
    assert.equal(production.status, 2);
    assert.match(production.stderr, /never made in production/);
  });
});
