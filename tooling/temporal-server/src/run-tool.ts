import { spawn } from 'node:child_process';
import { formatDuration } from './cache';

/**
 * `go build`'s link flags for Temporal's binaries: no symbol table and no DWARF. They are run, never debugged, here;
 * the link takes about a third of the time (10 s against 27 s for the CLI on two cores) and the binary is smaller.
 * Go's own tracebacks still name functions and lines. Link flags leave the compiled packages in Go's build cache
 * as they are, which the warm-up in tooling/bootstrap/run.mjs relies on.
 */
export const STRIPPED = '-ldflags=-s -w';

export interface RunToolOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** What is happening, for the heartbeat: "building Temporal CLI v1.5.1". */
  label: string;
  log: (line: string) => void;
}

/**
 * Runs a build tool (go, mvn) to completion. Its output is kept quiet unless it fails, when it is logged in full
 * and its tail put in the error; meanwhile a heartbeat line every 20 s shows that a minutes-long build is alive.
 * stdin is closed so nothing can sit waiting for an answer.
 */
export async function runTool(command: string, args: string[], options: RunToolOptions): Promise<void> {
  const started = Date.now();
  const output: string[] = [];
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString());
    // Bounded: a failing build can be chatty, and the start of its output is rarely the interesting part.
    if (output.length > 2_000) output.splice(0, output.length - 2_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const heartbeat = setInterval(
    () => options.log(`still ${options.label}… (${formatDuration(Date.now() - started)})`),
    20_000,
  );
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal ? null : 1)));
    });
    if (code === 0) return;
    const lines = output.join('').trimEnd().split('\n');
    for (const line of lines) options.log(`  ${command}: ${line}`);
    throw new Error(
      `${options.label} failed: \`${command} ${args.join(' ')}\` exited with ${code ?? 'a signal'}. Last output:\n` +
        lines.slice(-20).join('\n'),
    );
  } finally {
    clearInterval(heartbeat);
  }
}
