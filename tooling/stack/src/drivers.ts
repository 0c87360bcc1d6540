import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

const DRIVERS_CLI = join(resolve(__dirname, '../../..'), 'packages/accounts/dist/cli.js');

/** A driver account made for a run, with what signing in needs. `id` is the workflow's DriverId. */
export interface DriverLogin {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly password: string;
}

/**
 * A driver account in the accounts store at `accountsDatabaseUrl` (a stack's `accountsDatabaseUrl`), made through
 * the operators' own command (`npm run drivers -- add`), with a random password. A username that already exists
 * gets a new password instead, so a retried test signs in again. `name` (shown to people) defaults to the username
 * with a capital.
 */
export async function createDriver(
  accountsDatabaseUrl: string,
  username: string,
  name = username.charAt(0).toUpperCase() + username.slice(1),
): Promise<DriverLogin> {
  const password = randomBytes(18).toString('base64url');
  const env = { ...process.env, ACCOUNTS_DATABASE_URL: accountsDatabaseUrl };
  let answer = await drivers(['add', username, '--name', name, '--password-stdin', '--json'], password, env);
  if (answer.code === 1 && answer.stderr.includes('already exists')) {
    answer = await drivers(['reset-password', username, '--password-stdin', '--json'], password, env);
  }
  if (answer.code !== 0) throw new Error(`drivers ${username}: exit ${answer.code}: ${answer.stderr.trim()}`);
  const account = JSON.parse(answer.stdout) as { id: string; username: string; name: string };
  return { id: account.id, username: account.username, name: account.name, password };
}

/** Creates the accounts schema (any command does, on open) before the app and tests share the file. */
export async function prepareAccounts(accountsDatabaseUrl: string): Promise<void> {
  const answer = await drivers(['list', '--json'], '', { ...process.env, ACCOUNTS_DATABASE_URL: accountsDatabaseUrl });
  if (answer.code !== 0) throw new Error(`drivers list: exit ${answer.code}: ${answer.stderr.trim()}`);
}

function drivers(args: string[], stdin: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveAnswer, reject) => {
    const child = spawn(process.execPath, [DRIVERS_CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveAnswer({ code, stdout, stderr }));
    child.stdin.end(`${stdin}\n`);
  });
}
