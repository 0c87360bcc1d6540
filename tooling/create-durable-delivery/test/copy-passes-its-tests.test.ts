// Only in `pnpm test:scaffold` (minutes): the copy made through npx (test/global-setup.ts) passes its own fast
// tests, and its stack comes up on the ports it was given.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { eventually } from '@durable-delivery/temporal-server';
import { cleanEnv, pnpmCommand, runToEnd, scaffoldRun } from './processes';

const run = scaffoldRun();
const MINUTES = 60_000;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the copy made by npx create-durable-delivery', () => {
  it(
    'passes its own fast tests: format, lint, type checks, unit and time-skipping workflow tests',
    async () => {
      expect(run.status).toBe(0);
      const started = Date.now();
      const tests = await runToEnd('npm', ['run', 'test:fast'], { cwd: run.project });
      console.log(`create-durable-delivery: npm run test:fast in the copy ${Date.now() - started} ms`);
      expect({ code: tests.code, tail: tests.output.slice(-4000) }).toEqual({ code: 0, tail: expect.any(String) });
      const [, passed, failed] = /^(\d+) passed, (\d+) failed$/m.exec(tests.output) ?? [];
      expect(Number(failed)).toBe(0);
      expect(Number(passed)).toBeGreaterThan(0);
    },
    40 * MINUTES,
  );

  it(
    "runs `npm run dev` on the ports it was given: every server listens there and the worker polls the copy's Temporal",
    async () => {
      expect(run.status).toBe(0);
      // Its own process group, so that one SIGINT stops the whole stack, as Ctrl-C does in a terminal.
      const dev = spawn('npm', ['run', 'dev'], {
        cwd: run.project,
        env: cleanEnv({ CI: 'true' }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      dev.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      dev.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      const exited = new Promise<void>((resolve) => dev.once('close', () => resolve()));
      try {
        // `npm run dev` builds everything first (the apps' production builds too): minutes on a shared machine.
        const closedPorts = async () => {
          const closed: string[] = [];
          for (const [name, port] of Object.entries(run.ports))
            if (!(await accepts(port))) closed.push(`${name} ${port}`);
          return closed;
        };
        // Up to 25 minutes, or until `npm run dev` gave up; then the ports still closed, if any, fail the test.
        const closed = await eventually(
          async () => {
            const stillClosed = await closedPorts();
            return stillClosed.length === 0 || dev.exitCode !== null ? stillClosed : undefined;
          },
          1_500,
          1_000,
        ).catch(closedPorts);
        expect({ closed, log: closed.length > 0 ? output : '' }).toEqual({ closed: [], log: '' });

        // The worker and the apps find Temporal by the same default address: a poller on the copy's dev server
        // proves the worker took the new port, with no TEMPORAL_ADDRESS set.
        const poller = /"identity"\s*:\s*"[^"]+"/;
        const pnpm = pnpmCommand();
        const describeQueue = [
          ...pnpm.args,
          '-s',
          'temporal',
          'task-queue',
          'describe',
          '--task-queue',
          'orders',
          '--address',
          `127.0.0.1:${run.ports.temporal}`,
          '--output',
          'json',
        ];
        const described = await eventually(
          async () => {
            const { code, output: json } = await runToEnd(pnpm.command, describeQueue, { cwd: run.project });
            return code === 0 && poller.test(json) ? json : undefined;
          },
          300,
          1_000,
        );
        expect(described).toMatch(poller);
      } finally {
        process.kill(-dev.pid!, 'SIGINT');
        const killed = setTimeout(() => process.kill(-dev.pid!, 'SIGKILL'), 30_000);
        await exited;
        clearTimeout(killed);
      }
    },
    40 * MINUTES,
  );
});
