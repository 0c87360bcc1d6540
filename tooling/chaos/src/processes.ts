import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');

/** A built service or worker, run as its own process the way it is deployed; its output is dropped. */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly main: string,
    private readonly env: Record<string, string>,
    private readonly readyUrl?: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [resolve(REPO, this.main)], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: 'ignore',
    });
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    if (this.readyUrl) await waitForHttp(this.readyUrl, this.exited, this.name);
  }

  /** The crash the chaos suite is about: no shutdown hook runs. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function waitForHttp(url: string, exited: Promise<void>, name: string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (gone) throw new Error(`${name} exited before answering at ${url}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${name} did not answer at ${url}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
