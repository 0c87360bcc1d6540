import { type ChildProcess, spawn } from 'node:child_process';

export interface ServerProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (a server that refuses root, such as PostgreSQL). */
  uid?: number;
  gid?: number;
  /**
   * Its output: 'pipe' (default) sends its lines to `log`; 'inherit' shares this process's stdout/stderr; 'ignore'
   * drops them. Except with 'inherit', the last lines are kept for error messages.
   */
  stdio?: 'inherit' | 'pipe' | 'ignore';
  log: (line: string) => void;
  /** Sees every output line (unless 'inherit'), e.g. to spot the one that says the server is ready. */
  onLine?: (line: string) => void;
  /** How long stop() waits after its signal before SIGKILL; default 10 s. */
  stopGraceMs?: number;
}

/** A long-running server process owned by this one. */
export interface ServerProcess {
  readonly pid: number | undefined;
  /** Resolves with the exit code (null when ended by a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
  /** The exit code once it has exited (null: by a signal); undefined while it runs. */
  exitCode(): number | null | undefined;
  /** Its last output lines, for error messages. */
  tail(): string;
  /** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILL if it takes longer than the grace time. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL, now: a crash, for chaos tests. */
  kill(): void;
}

const TAIL_LINES = 40;

/**
 * Starts a server process whose lines go to `log`, and which is SIGTERMed if this process exits first, so that it
 * never outlives its owner holding a port.
 */
export function startServerProcess(command: string, args: string[], options: ServerProcessOptions): ServerProcess {
  const stdio = options.stdio ?? 'pipe';
  const output = stdio === 'inherit' ? 'inherit' : 'pipe';
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', output, output],
  });
  const lines: string[] = [];
  let stopping = false;
  forwardLines(child, (line) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
    options.onLine?.(line);
    // Shutting down makes servers log errors about cancelled requests: noise, not news.
    if (stdio === 'pipe' && !stopping) options.log(line);
  });

  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => {
      lines.push(String(err));
      exitCode = null;
      resolve(null);
    });
    // 'close' rather than 'exit': it comes after the output has been read, so error messages get the last lines.
    child.once('close', (code) => {
      exitCode = code;
      resolve(code);
    });
  });
  const stopOnOurExit = () => child.kill('SIGTERM');
  process.on('exit', stopOnOurExit);
  void exited.then(() => process.removeListener('exit', stopOnOurExit));

  return {
    pid: child.pid,
    exited,
    exitCode: () => exitCode,
    tail: () => lines.join('\n'),
    kill() {
      stopping = true;
      child.kill('SIGKILL');
    },
    async stop(signal = 'SIGTERM') {
      stopping = true;
      if (exitCode !== undefined) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
    stream?.on('end', () => partial.trim() && onLine(partial));
  }
}
