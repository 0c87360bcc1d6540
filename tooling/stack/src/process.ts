import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Env = Readonly<Record<string, string>>;

/** How a process shows it is ready: an HTTP answer at `url`. */
export interface Readiness {
  readonly url: string;
  /** 'any' (default): any answer means it listens; 'ok': wait for a 2xx (a worker's /readyz once it polls). */
  readonly status?: 'any' | 'ok';
  /** Default 120 s: a bound on a hang, generous on a shared machine. */
  readonly timeoutMs?: number;
}

export interface ProcessOptions {
  /** Names its lines in logs and its errors. */
  readonly name: string;
  /** Default: this Node.js. */
  readonly command?: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Its whole environment besides PATH and HOME: nothing leaks in from the caller's shell. */
  readonly env: Env;
  readonly ready?: Readiness;
  /** Every line it prints, as it prints it. */
  readonly log?: (line: string) => void;
  /** How long stop() waits after SIGTERM before SIGKILL; default 15 s. */
  readonly stopGraceMs?: number;
  /** Called when it exits while nobody asked it to (not after stop() or kill()). */
  readonly onUnexpectedExit?: (code: number | null) => void;
  /** Aborts waiting for readiness. */
  readonly signal?: AbortSignal;
}

const KEPT_LINES = 40;

/**
 * What to kill if this process exits first: one `exit` listener for every process the stack starts (a listener
 * each made Node warn of a leak once a stack had more than ten).
 */
const onOurExit = new Set<() => void>();
process.on('exit', () => onOurExit.forEach((kill) => kill()));

/**
 * A process of the stack, in a process group of its own, so that stopping it also stops whatever it started itself
 * (a server may fork). start() may be called again once it has exited: a restart, as the chaos suite does.
 */
export class StackProcess {
  private child?: ChildProcess;
  private exit?: Promise<number | null>;
  private code: number | null | undefined;
  private lines: string[] = [];
  private count = 0;
  private stopping = false;
  /** While start() waits for readiness: an exit then is start()'s error, not news for onUnexpectedExit. */
  private starting = false;

  constructor(readonly options: ProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** The current run's pid (the process group's id too). */
  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`${this.name} was never started`);
    return pid;
  }

  /** Resolves with the current run's exit code (null: ended by a signal). */
  get exited(): Promise<number | null> {
    if (!this.exit) throw new Error(`${this.name} was never started`);
    return this.exit;
  }

  /** The exit code once the current run has ended; undefined while it runs. */
  exitCode(): number | null | undefined {
    return this.code;
  }

  /** Its last lines, for error messages. */
  lastLines(): readonly string[] {
    return [...this.lines];
  }

  /** How many lines it has printed, over every run. */
  lineCount(): number {
    return this.count;
  }

  /** Spawns it and waits until it is ready (if `ready` says how to tell); throws if it exits first. */
  async start(): Promise<void> {
    if (this.child && this.code === undefined) throw new Error(`${this.name} is already running`);
    const { options } = this;
    this.stopping = false;
    this.code = undefined;
    const child = spawn(options.command ?? process.execPath, [...options.args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.count++;
        this.lines.push(line);
        if (this.lines.length > KEPT_LINES) this.lines.shift();
        options.log?.(line);
      });
    }
    // Whatever happens to this process, the group must not outlive it.
    const pid = child.pid;
    const killGroup = () => signalGroup(pid, 'SIGKILL');
    onOurExit.add(killGroup);
    this.exit = new Promise((resolve) => {
      let closed = false;
      const done = (code: number | null) => {
        if (closed) return;
        closed = true;
        this.code = code;
        onOurExit.delete(killGroup);
        killGroup();
        resolve(code);
        if (!this.stopping && !this.starting) options.onUnexpectedExit?.(code);
      };
      child.once('error', (error) => {
        this.lines.push(String(error));
        done(null);
      });
      // 'close' comes after its output has been read, so that errors name its last lines; but a grandchild may hold
      // the pipes open, so the exit counts on its own shortly after.
      child.once('close', (code) => done(code));
      child.once('exit', (code) => setTimeout(() => done(code), 2_000).unref());
    });
    if (!options.ready) return;
    this.starting = true;
    try {
      await this.waitUntilReady(options.ready);
    } catch (error) {
      await this.kill();
      throw error;
    } finally {
      this.starting = false;
    }
  }

  /** Sends `signal` to its group, and returns at once (a test that watches how it exits). */
  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGTERM' || signal === 'SIGKILL' || signal === 'SIGINT') this.stopping = true;
    signalGroup(this.child?.pid, signal);
  }

  /** SIGKILL, now: the crash the chaos suite is about (no shutdown hook runs). */
  async kill(): Promise<void> {
    if (!this.child || this.code !== undefined) return;
    this.signal('SIGKILL');
    await this.exit;
  }

  /** SIGTERM (a worker drains and exits), SIGKILL after the grace time. */
  async stop(): Promise<void> {
    if (!this.child || this.code !== undefined) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), this.options.stopGraceMs ?? 15_000);
    await this.exit;
    clearTimeout(timer);
  }

  private async waitUntilReady(ready: Readiness): Promise<void> {
    const timeoutMs = ready.timeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    const output = () => (this.lines.length ? `:\n${this.lines.join('\n')}` : '');
    for (;;) {
      if (this.options.signal?.aborted) throw new Error(`aborted while ${this.name} was starting`);
      if (this.code !== undefined) {
        throw new Error(`${this.name} exited (code ${this.code}) before answering at ${ready.url}${output()}`);
      }
      try {
        const response = await fetch(ready.url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        if (ready.status !== 'ok' || response.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} did not answer at ${ready.url} within ${timeoutMs} ms${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Starts a process (see StackProcess) and waits until it is ready; one that is not is killed. */
export async function startProcess(options: ProcessOptions): Promise<StackProcess> {
  const child = new StackProcess(options);
  await child.start();
  return child;
}
