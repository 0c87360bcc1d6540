#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { AccountsError, openAccounts, type Accounts, type DriverAccount } from './accounts.js';
import { AccountsConfigError, loadAccountsConfig } from './config.js';
import { DEVELOPMENT_DRIVERS } from './development.js';

/**
 * `npm run drivers -- <command>`: the operators' command for driver accounts, on the store ACCOUNTS_DATABASE_URL
 * names (npm run sets the project's SQLite file by default). Exit status 0 on success, 1 for a refused request
 * (message on stderr), 2 for a usage error.
 */
const USAGE = `Usage: npm run drivers -- <command>

  add <username> --name "<display name>" [--password-stdin]
                              create a driver; prints a generated password once unless one is read from stdin
  disable <username>          refuse their sign-in and end their sessions
  enable <username>           let them sign in again
  reset-password <username> [--password-stdin]
                              set a new password (printed once when generated) and end their sessions
  sign-out <username>         end every session of the driver (they sign in again)
  list                        every driver: username, display name, status, id

Add --json to any command for machine-readable output.
Store: ACCOUNTS_DATABASE_URL (a SQLite file path or postgres:// URL).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, username, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  let accounts: Accounts | undefined;
  try {
    if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (!COMMANDS.has(command)) throw new UsageError(`unknown command "${command}"`);
    const needsUsername = command !== 'list' && command !== 'seed-development';
    if (needsUsername && !username) throw new UsageError(`"${command}" needs a username`);
    const password = values['password-stdin'] ? await passwordFromStdin() : undefined;
    accounts = await openAccounts(loadAccountsConfig(process.env, { needsSecret: false }));
    const out = (json: unknown, text: string) =>
      process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
    const user = username ?? '';
    switch (command) {
      case 'add': {
        if (!values.name) throw new UsageError('"add" needs --name "<display name>"');
        const added = await accounts.addDriver({ username: user, name: values.name, password });
        out(
          { ...jsonOf(added.driver), ...(password ? {} : { password: added.password }) },
          `Added driver ${describe(added.driver)}.` +
            (password ? '' : `\nPassword (shown once; hand it over privately): ${added.password}`),
        );
        break;
      }
      case 'disable': {
        const driver = await accounts.setDisabled(user, true);
        out(jsonOf(driver), `Disabled ${describe(driver)}: they cannot sign in, and their sessions have ended.`);
        break;
      }
      case 'enable': {
        const driver = await accounts.setDisabled(user, false);
        out(jsonOf(driver), `Enabled ${describe(driver)}: they can sign in again.`);
        break;
      }
      case 'reset-password': {
        const reset = await accounts.resetPassword(user, password);
        out(
          { ...jsonOf(reset.driver), ...(password ? {} : { password: reset.password }) },
          `New password set for ${describe(reset.driver)}; their sessions have ended.` +
            (password ? '' : `\nPassword (shown once; hand it over privately): ${reset.password}`),
        );
        break;
      }
      case 'sign-out': {
        const ended = await accounts.signOutEverywhere(user);
        out(
          { username: user, sessionsEnded: ended },
          `Signed ${user} out: ${ended} session${ended === 1 ? '' : 's'} ended.`,
        );
        break;
      }
      case 'list': {
        const drivers = await accounts.list();
        out(
          drivers.map(jsonOf),
          drivers.length
            ? table(drivers)
            : 'No drivers yet. Add one with: npm run drivers -- add <username> --name "<name>"',
        );
        break;
      }
      case 'seed-development': {
        // npm run dev only (tooling/bootstrap/run.mjs): the accounts README names, with their public passwords.
        if (process.env.NODE_ENV === 'production')
          throw new UsageError('development accounts are never made in production');
        for (const seed of DEVELOPMENT_DRIVERS) {
          if (await accounts.find(seed.username)) continue;
          await accounts.addDriver(seed);
          process.stdout.write(`Added development driver ${seed.username} (password ${seed.password}).\n`);
        }
        break;
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof AccountsError || error instanceof AccountsConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await accounts?.close();
  }
}

const COMMANDS = new Set(['add', 'disable', 'enable', 'reset-password', 'sign-out', 'list', 'seed-development']);

function describe(driver: DriverAccount): string {
  return `${driver.username} ("${driver.name}", id ${driver.id})`;
}

function jsonOf(driver: DriverAccount) {
  return { ...driver, createdAt: driver.createdAt.toISOString() };
}

function table(drivers: DriverAccount[]): string {
  const rows = [
    ['USERNAME', 'NAME', 'STATUS', 'ID'],
    ...drivers.map((d) => [d.username, d.name, d.disabled ? 'disabled' : 'active', d.id]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The first line of stdin: a password never goes on the command line, where `ps` and shell history see it. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!password) throw new UsageError('--password-stdin: no password on standard input');
  return password;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`drivers: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
