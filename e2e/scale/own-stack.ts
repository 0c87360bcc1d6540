import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, type Stack, type StackOptions } from '@durable-delivery/stack';
import { ARTIFACTS } from '../harness/stack';

/**
 * A spec's own stack (each spec in scale/ starts one), logged to `<label>-stack.log` among the artifacts.
 * `unexpectedExits` collects each process that exited while nobody asked it to, with its last lines: a kill the
 * test asks for is not one, and the specs expect none.
 */
export function startOwnStack(
  options: Omit<StackOptions, 'logFile' | 'onExit'>,
  unexpectedExits: string[],
): Promise<Stack> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, `${options.label}-stack.log`);
  rmSync(logFile, { force: true });
  return startStack({
    ...options,
    logFile,
    onExit: (child, code) => unexpectedExits.push(`${child.name} (code ${code}): ${child.lastLines().join('\n')}`),
  });
}
