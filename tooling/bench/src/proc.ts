/**
 * Memory and CPU of other processes, read from /proc (Linux). Elsewhere every reading is undefined and the report
 * says so, rather than the bench failing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Resident memory in MiB, or undefined once the process is gone (or without /proc). */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;

/** CPU time (user + system, every thread) the process has used so far, in ms. */
export function cpuMs(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // utime and stime are fields 14 and 15.
  return ticksToMs(Number(fields[11]) + Number(fields[12]));
}

/**
 * CPU time of whole servers, in ms: each process, its live descendants and the children it has reaped — PostgreSQL
 * does its work in one backend process per connection, under its postmaster.
 */
export function treeCpuMs(pids: readonly number[]): number | undefined {
  if (pids.length === 0) return undefined;
  const parents = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    const pid = Number(entry);
    const parent = Number.isInteger(pid) ? Number(statFields(pid)?.[1]) : NaN;
    if (Number.isInteger(parent)) parents.set(parent, [...(parents.get(parent) ?? []), pid]);
  }
  let ticks = 0;
  const visit = (pid: number): boolean => {
    const fields = statFields(pid);
    if (!fields) return false;
    // utime, stime, then cutime and cstime (waited-for children): fields 14-17.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    for (const child of parents.get(pid) ?? []) visit(child);
    return true;
  };
  for (const pid of pids) if (!visit(pid)) return undefined;
  return ticksToMs(ticks);
}

/** The fields of /proc/<pid>/stat from field 3 (the state) on; undefined once the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; the fields after its last ")" are fixed.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function ticksToMs(ticks: number): number | undefined {
  ticksPerSecond ??= clockTicks();
  return Number.isFinite(ticks) ? (ticks * 1000) / ticksPerSecond : undefined;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Samples a process's RSS every `intervalMs` and keeps the highest value since the last reset. */
export class RssSampler {
  private peak: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    // Sampling must never be what keeps the bench alive.
    this.timer.unref();
  }

  sample(): number | undefined {
    const rss = rssMiB(this.pid);
    if (rss !== undefined && (this.peak === undefined || rss > this.peak)) this.peak = rss;
    return rss;
  }

  /** The peak since the last call, then starts over from the current value. */
  takePeak(): number | undefined {
    this.sample();
    const peak = this.peak;
    this.peak = undefined;
    this.sample();
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
