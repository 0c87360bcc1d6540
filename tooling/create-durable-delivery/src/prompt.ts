import { resolve } from 'node:path';
import { targetProblem } from './create';
import type { TemplateManifest } from './manifest';
import {
  checkPlan,
  defaultName,
  defaultScope,
  nameProblem,
  normalizeScope,
  portFlag,
  portProblem,
  scopeProblem,
  type CommandLine,
  type ProjectPlan,
} from './options';

/** The person pressed Ctrl-C or Esc at a question: nothing has been written yet. */
export class Cancelled extends Error {}

const DEFAULT_FOLDER = 'my-durable-delivery';

/** Asks, in a terminal, for everything the command line did not give; each answer is checked as it is typed. */
export async function askForPlan(line: CommandLine, manifest: TemplateManifest): Promise<ProjectPlan> {
  // Loaded only here: a run without a terminal never needs it (and it is an ES module, this package CommonJS).
  const clack = await import('@clack/prompts');
  // Ctrl-C or Esc at any question ends the run before anything is written.
  const text = async (options: Parameters<typeof clack.text>[0]): Promise<string> => {
    const value = await clack.text(options);
    if (clack.isCancel(value)) throw new Cancelled('Nothing was created.');
    return value;
  };
  const confirm = async (options: Parameters<typeof clack.confirm>[0]): Promise<boolean> => {
    const value = await clack.confirm(options);
    if (clack.isCancel(value)) throw new Cancelled('Nothing was created.');
    return value;
  };

  clack.intro(`create-durable-delivery ${manifest.version}`);
  const directory =
    line.directory ??
    (await text({
      message: 'Where should the new project go?',
      placeholder: DEFAULT_FOLDER,
      defaultValue: DEFAULT_FOLDER,
      validate: (value) => targetProblem(resolve(value || DEFAULT_FOLDER)),
    }));
  const name =
    line.name ??
    (await text({
      message: 'Project name (the root package.json)',
      initialValue: defaultName(directory),
      validate: (value) => nameProblem(value ?? ''),
    }));
  const scope =
    line.scope ??
    normalizeScope(
      await text({
        message: `Package scope: @${manifest.scope}/api becomes @<scope>/api`,
        initialValue: defaultScope(name),
        validate: (value) => scopeProblem(normalizeScope(value ?? '')),
      }),
    );

  const ports: Record<string, number> = { ...line.ports };
  const unasked = Object.keys(manifest.ports).filter((port) => ports[port] === undefined);
  if (unasked.length > 0) {
    const summary = unasked.map((port) => `${port} ${manifest.ports[port]!.port}`).join(', ');
    const keep = await confirm({ message: `Keep the default ports? (${summary})`, initialValue: true });
    for (const port of unasked) {
      const fallback = manifest.ports[port]!.port;
      if (keep) {
        ports[port] = fallback;
        continue;
      }
      const taken = new Set(Object.values(ports));
      const answer = await text({
        message: `Port of ${manifest.ports[port]!.description} (--${portFlag(port)})`,
        initialValue: String(fallback),
        validate: (value) => {
          const number = /^\d+$/.test(value ?? '') ? Number(value) : Number.NaN;
          return portProblem(number) ?? (taken.has(number) ? `${number} is already taken above` : undefined);
        },
      });
      ports[port] = Number(answer);
    }
  }

  const plan: ProjectPlan = { directory, name, scope, ports, git: line.git, install: line.install };
  checkPlan(plan);
  return plan;
}
