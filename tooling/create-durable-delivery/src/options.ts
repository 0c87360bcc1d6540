import { parseArgs, type ParseArgsConfig } from 'node:util';
import validateNpmPackageName from 'validate-npm-package-name';
import type { TemplateManifest } from './manifest';

/** A mistake in the command line: the message says what, and the process exits 2 (usage), not 1. */
export class UsageError extends Error {}

/** What the new project is: every value the scaffold needs, checked. */
export interface ProjectPlan {
  /** Where to create it, as given (relative to the current folder, or absolute). */
  readonly directory: string;
  readonly name: string;
  /** Without "@". */
  readonly scope: string;
  /** Port by name, one for each of the template's ports. */
  readonly ports: Readonly<Record<string, number>>;
  readonly git: boolean;
  readonly install: boolean;
}

/** What the command line said; anything missing is asked in a terminal, or defaulted with --yes. */
export interface CommandLine {
  readonly help: boolean;
  readonly version: boolean;
  readonly yes: boolean;
  readonly directory?: string;
  readonly name?: string;
  readonly scope?: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly git: boolean;
  readonly install: boolean;
}

/** `temporalUi` → `--temporal-ui-port`: one flag for each of the template's ports. */
export function portFlag(portName: string): string {
  return `${portName.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}-port`;
}

export function parseCommandLine(argv: readonly string[], manifest: TemplateManifest): CommandLine {
  const portNames = Object.keys(manifest.ports);
  const options = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    yes: { type: 'boolean', short: 'y' },
    name: { type: 'string' },
    scope: { type: 'string' },
    'no-git': { type: 'boolean' },
    'no-install': { type: 'boolean' },
    ...Object.fromEntries(portNames.map((name) => [portFlag(name), { type: 'string' }])),
  } satisfies ParseArgsConfig['options'];
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\nSee --help.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(`Give one folder to create, not ${positionals.length}: ${positionals.join(' ')}`);
  }
  const ports: Record<string, number> = {};
  for (const name of portNames) {
    const raw = (values as Record<string, unknown>)[portFlag(name)];
    if (typeof raw === 'string') ports[name] = parsePort(raw, `--${portFlag(name)}`);
  }
  return {
    help: values.help === true,
    version: values.version === true,
    yes: values.yes === true,
    ...(positionals[0] !== undefined ? { directory: positionals[0] } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.scope !== undefined ? { scope: normalizeScope(values.scope) } : {}),
    ports,
    git: values['no-git'] !== true,
    install: values['no-install'] !== true,
  };
}

/** The plan from the command line alone: when there is no terminal to ask in, or with --yes. */
export function planWithoutQuestions(line: CommandLine, manifest: TemplateManifest): ProjectPlan {
  if (line.directory === undefined) {
    throw new UsageError('Name the folder to create: npx create-durable-delivery my-app');
  }
  const portNames = Object.keys(manifest.ports);
  if (!line.yes) {
    const missing = [
      ...(line.name === undefined ? ['--name'] : []),
      ...(line.scope === undefined ? ['--scope'] : []),
      ...portNames.filter((name) => line.ports[name] === undefined).map((name) => `--${portFlag(name)}`),
    ];
    if (missing.length > 0) {
      throw new UsageError(
        `There is no terminal to ask in. Pass --yes to take the defaults, or give ${missing.join(', ')}.`,
      );
    }
  }
  const name = line.name ?? defaultName(line.directory);
  const plan: ProjectPlan = {
    directory: line.directory,
    name,
    scope: line.scope ?? defaultScope(name),
    ports: Object.fromEntries(portNames.map((port) => [port, line.ports[port] ?? manifest.ports[port]!.port])),
    git: line.git,
    install: line.install,
  };
  checkPlan(plan);
  return plan;
}

/** Throws a UsageError naming each problem of the plan. */
export function checkPlan(plan: ProjectPlan): void {
  const nameReason = nameProblem(plan.name);
  const scopeReason = scopeProblem(plan.scope);
  const problems = [
    ...(plan.directory.trim() === '' ? ['Invalid folder: it must have a name'] : []),
    ...(nameReason ? [`Invalid project name "${plan.name}": ${nameReason}`] : []),
    ...(scopeReason ? [`Invalid scope "${plan.scope}": ${scopeReason}`] : []),
    ...portsProblems(plan.ports),
  ];
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
}

/** Why `name` cannot be the root package's name (npm's own rules), or undefined. */
export function nameProblem(name: string): string | undefined {
  const verdict = validateNpmPackageName(name);
  if (verdict.validForNewPackages) return undefined;
  return [...(verdict.errors ?? []), ...(verdict.warnings ?? [])].join('; ');
}

/** Why `scope` (without "@") cannot name the workspace's packages, or undefined. */
export function scopeProblem(scope: string): string | undefined {
  if (scope !== '' && !scope.includes('/') && validateNpmPackageName(`@${scope}/package`).validForNewPackages) {
    return undefined;
  }
  return 'a scope is lowercase letters, digits, "-", "." or "_", as in @acme/api';
}

export function portProblem(port: number): string | undefined {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : 'a port is a whole number from 1 to 65535';
}

function portsProblems(ports: Readonly<Record<string, number>>): string[] {
  const problems: string[] = [];
  const byPort = new Map<number, string[]>();
  for (const [name, port] of Object.entries(ports)) {
    const problem = portProblem(port);
    if (problem) problems.push(`Invalid --${portFlag(name)} ${port}: ${problem}`);
    byPort.set(port, [...(byPort.get(port) ?? []), name]);
  }
  for (const [port, names] of byPort) {
    if (names.length > 1) {
      problems.push(`Invalid ports: ${port} is given to ${names.map((name) => `--${portFlag(name)}`).join(' and ')}`);
    }
  }
  return problems;
}

function parsePort(raw: string, flag: string): number {
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  const problem = portProblem(port);
  if (problem) throw new UsageError(`Invalid ${flag} "${raw}": ${problem}`);
  return port;
}

/** "@acme/" and "acme" both mean the scope acme. */
export function normalizeScope(scope: string): string {
  return scope.trim().replace(/^@/, '').replace(/\/$/, '');
}

/** The folder's own name, made a valid package name where it is not one (My App → my-app). */
export function defaultName(directory: string): string {
  const base =
    directory
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'my-durable-delivery' : name;
}

/** A scoped project name lends its scope; otherwise the name is the scope: my-app → @my-app/api. */
export function defaultScope(name: string): string {
  const scoped = /^@([^/]+)\//.exec(name);
  return scoped ? scoped[1]! : name;
}

export function helpText(manifest: TemplateManifest): string {
  const portLines = Object.entries(manifest.ports).map(
    ([name, { port, description }]) =>
      `  --${`${portFlag(name)} <n>`.padEnd(26)}port of ${description} (default: ${port})`,
  );
  return [
    `create-durable-delivery ${manifest.version}: start your own copy of Durable Delivery.`,
    '',
    'Usage: npx create-durable-delivery <folder> [options]',
    '       pnpm create durable-delivery <folder> [options]',
    '',
    'In a terminal it asks for what the options do not give. Without one (or with CI=true) it takes the options,',
    'and --yes takes the defaults for the rest.',
    '',
    'Options:',
    '  --name <name>               the root package name (default: the folder name)',
    `  --scope <scope>             the npm scope of every workspace package, @<scope>/… (default: the name;`,
    `                              the app's own is @${manifest.scope})`,
    ...portLines,
    '  -y, --yes                   take the defaults for everything not given, ask nothing',
    '  --no-git                    do not make a git repository with a first commit',
    '  --no-install                do not install pnpm and the dependencies (`npm run setup` does it later)',
    '  -v, --version               print the version',
    '  -h, --help                  print this help',
    '',
    'It never writes into a folder that is not empty.',
  ].join('\n');
}
