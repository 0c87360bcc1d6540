import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/**
 * npm, npx and pnpm set npm_config_* (and more npm_*) for the scripts they run, and pnpm's bin shims set NODE_PATH
 * to their own store; a pnpm or node started from inside one of them would take those as its settings and resolve
 * modules from somewhere else. The copy's commands run as from a fresh shell instead.
 */
export function withoutNpmVariables(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^(npm_|node_path$)/i.test(key)));
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** 'pipe': output kept and shown only in the error; 'inherit': shown as it comes. */
  readonly output: 'pipe' | 'inherit';
  /** Told of the child while it runs, so that a signal handler can stop it first. */
  readonly track?: (child: ChildProcess | undefined) => void;
}

/** Runs a command to its end; resolves with its exit code (128 + n when a signal ended it). */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const windows = process.platform === 'win32';
    const child = spawn(windows && command === 'npm' ? 'npm.cmd' : command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', options.output, options.output],
      shell: windows && command === 'npm',
    });
    options.track?.(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      options.track?.(undefined);
      resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), output });
    });
  });
}

/** The same, for a step that must succeed: rejects with the command's output when it does not. */
export async function runOrThrow(command: string, args: readonly string[], options: Omit<RunOptions, 'output'>) {
  const { code, output } = await run(command, args, { ...options, output: 'pipe' });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.trim()}`);
}
