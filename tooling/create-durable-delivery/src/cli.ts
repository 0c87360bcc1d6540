#!/usr/bin/env node
// `npx create-durable-delivery my-app` (or `pnpm create durable-delivery my-app`): a new project from the app this
// package carries. Exit codes: 0 made, 1 refused or failed, 2 a mistake in the command line, 128 + n on signal n.
import { constants } from 'node:os';
import { relative, resolve } from 'node:path';
import { TargetNotEmptyError, Undo, createProject, targetProblem } from './create';
import { readManifest, type TemplateManifest } from './manifest';
import { UsageError, helpText, parseCommandLine, planWithoutQuestions, type ProjectPlan } from './options';
import { run, withoutNpmVariables } from './processes';
import { Cancelled, askForPlan } from './prompt';

const STOP_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;

/** Set once a signal arrived: the signal handler cleans up and exits; nothing else reports. */
let stopping = false;

async function main(argv: readonly string[]): Promise<number> {
  const manifest = readManifest();
  const line = parseCommandLine(argv, manifest);
  if (line.help) {
    console.log(helpText(manifest));
    return 0;
  }
  if (line.version) {
    console.log(manifest.version);
    return 0;
  }
  // A folder named on the command line is checked before any question is asked.
  if (line.directory !== undefined) refuseUnlessEmpty(resolve(line.directory));
  const plan = canAsk(line.yes) ? await askForPlan(line, manifest) : planWithoutQuestions(line, manifest);
  const target = resolve(plan.directory);
  refuseUnlessEmpty(target);

  const undo = new Undo();
  let phase: 'creating' | 'installing' = 'creating';
  const onSignal = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    await undo.stop();
    console.error(
      phase === 'creating'
        ? `\nStopped (${signal}): nothing was created at ${target}.`
        : `\nStopped (${signal}) while installing. The project at ${target} is complete; finish with: ` +
            `cd ${shellPath(target)} && npm run setup`,
    );
    process.exit(128 + constants.signals[signal]);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, (received) => void onSignal(received));

  console.log(`Creating ${plan.name} in ${target}`);
  const made = await createProject(plan, target, manifest, undo, (message) => console.log(`  ${message}`)).catch(
    (error: unknown) => {
      if (!stopping) undo.run();
      throw error;
    },
  );
  if (made.gitNote) console.log(`  ${made.gitNote}`);

  phase = 'installing';
  let installed = true;
  if (plan.install) {
    console.log('  Installing pnpm (the pinned version) and the dependencies: npm run setup…');
    const code = await npmRunSetup(target, undo);
    installed = code === 0;
    if (!installed) {
      console.error(
        `\nThe project is made, but installing failed (npm run setup exited ${code}). ` +
          `Try again with: cd ${shellPath(target)} && npm run setup`,
      );
    }
  }
  console.log(nextSteps(plan, target, manifest, made.git === 'committed'));
  return installed ? 0 : 1;
}

/** A terminal to ask in: stdin and stdout are a TTY, not CI, and --yes was not given. */
function canAsk(yes: boolean): boolean {
  const ci = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase());
  return !yes && !ci && process.stdin.isTTY === true && process.stdout.isTTY === true;
}

function refuseUnlessEmpty(target: string): void {
  const problem = targetProblem(target);
  if (problem) throw new TargetNotEmptyError(problem);
}

/** The copy's own bootstrap (its `setup` script): its pinned pnpm, then `pnpm install --frozen-lockfile`. */
async function npmRunSetup(cwd: string, undo: Undo): Promise<number> {
  const { code } = await run('npm', ['run', '--silent', 'setup'], {
    cwd,
    env: withoutNpmVariables(),
    output: 'inherit',
    track: (child) => undo.track(child),
  });
  return code;
}

function nextSteps(plan: ProjectPlan, target: string, manifest: TemplateManifest, committed: boolean): string {
  const ports = Object.entries(plan.ports)
    .map(([name, port]) => `${manifest.ports[name]?.description ?? name} ${port}`)
    .join(', ');
  return [
    '',
    `Made ${plan.name}: packages @${plan.scope}/*, ports: ${ports}${committed ? ', first commit made' : ''}.`,
    '',
    'Start it, and test it:',
    '',
    `  cd ${shellPath(target)}`,
    '  npm run dev     # the whole app on this machine, with logs; Ctrl-C stops it',
    '  npm test        # format, lint, type checks and every test, end-to-end included',
    '',
  ].join('\n');
}

function shellPath(target: string): string {
  const path = relative(process.cwd(), target) || '.';
  return /^[\w./@-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (stopping) return;
    if (error instanceof Cancelled) {
      console.error(error.message);
      process.exitCode = 130;
      return;
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
