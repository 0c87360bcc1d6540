import { readFileSync } from 'node:fs';
import { StackProcess, startProcess } from '../src';

// A parent that forks a grandchild (as `next start` does), prints both pids and answers HTTP on a loopback port.
const PARENT = `
const { spawn } = require('node:child_process');
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log('grandchild ' + grandchild.pid);
require('node:http').createServer((_, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

/** Running, not a zombie waiting for a reaper this container may not have. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function grandchildOf(child: StackProcess): number {
  const line = child.lastLines().find((candidate) => candidate.startsWith('grandchild '));
  return Number(line?.split(' ')[1]);
}

it('waits until the process answers, and stop() ends its whole process group', async () => {
  const port = await freeLoopbackPort();
  const lines: string[] = [];
  const child = await startProcess({
    name: 'parent',
    args: ['-e', PARENT],
    env: { PORT: String(port) },
    ready: { url: `http://127.0.0.1:${port}/` },
    log: (line) => lines.push(line),
  });
  const grandchild = grandchildOf(child);
  expect(lines).toEqual([`grandchild ${grandchild}`]);
  expect(alive(grandchild)).toBe(true);
  await child.stop();
  expect(child.exitCode()).toBeNull();
  // The group is signalled once the leader is gone; the grandchild dies with it.
  for (let attempt = 0; alive(grandchild) && attempt < 100; attempt++) await new Promise((r) => setTimeout(r, 50));
  expect(alive(grandchild)).toBe(false);
});

it('fails, naming its output, when the process exits before it is ready; the caller is not told of that exit', async () => {
  const onUnexpectedExit = jest.fn();
  const port = await freeLoopbackPort();
  await expect(
    startProcess({
      name: 'broken',
      args: ['-e', 'console.error("Invalid environment: PORT"); process.exit(3)'],
      env: {},
      ready: { url: `http://127.0.0.1:${port}/` },
      onUnexpectedExit,
    }),
  ).rejects.toThrow(/broken exited \(code 3\) before answering.*\nInvalid environment: PORT/s);
  expect(onUnexpectedExit).not.toHaveBeenCalled();
});

it('reports an exit nobody asked for, and starts again after a kill (a crash and its restart)', async () => {
  const port = await freeLoopbackPort();
  const onUnexpectedExit = jest.fn();
  const child = new StackProcess({
    name: 'service',
    args: ['-e', PARENT],
    env: { PORT: String(port) },
    ready: { url: `http://127.0.0.1:${port}/` },
    onUnexpectedExit,
  });
  await child.start();
  const first = child.pid;
  await child.kill();
  expect(onUnexpectedExit).not.toHaveBeenCalled();
  await child.start();
  expect(child.pid).not.toBe(first);
  process.kill(child.pid, 'SIGKILL');
  await child.exited;
  expect(onUnexpectedExit).toHaveBeenCalledWith(null);
  await child.stop();
});
