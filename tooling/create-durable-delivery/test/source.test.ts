// Checks on the repository the template is packed from, so that what the scaffold does to a copy stays right as
// the app grows.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isText, isVerbatim, portOccurrences } from '../src/rewrite';

const packageDir = resolve(__dirname, '..');
const repo = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: packageDir, encoding: 'utf8' }).trim();
const portsFile = 'tooling/ports/ports.json';
const portDefinitions = JSON.parse(readFileSync(join(repo, portsFile), 'utf8')) as Record<string, { port: number }>;

/** Words that say a number on the line is a port: the generic ones, and the names in the ports file. */
const portContext = new RegExp(
  [
    '(?<![a-z])port', // port, PORT, _PORT, portal; not import, export or report
    'localhost',
    '127\\.0\\.0\\.1',
    '0\\.0\\.0\\.0',
    '://',
    ':\\d',
    '\\baddress',
    '\\blisten',
    '\\bEXPOSE\\b', // a Dockerfile's
    ...Object.keys(portDefinitions)
      .flatMap((name) => name.split(/(?=[A-Z])/))
      .map((word) => `\\b${word.toLowerCase().replace(/s$/, '')}`),
  ].join('|'),
  'i',
);

function trackedTextFiles(): { file: string; text: string }[] {
  const own = `${relative(repo, packageDir)}/`;
  return (
    execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' })
      .split('\0')
      // Files the scaffold copies as they are (measured data) are never rewritten, so their digits cannot go wrong.
      .filter((file) => file !== '' && !file.startsWith(own) && !isVerbatim(file))
      .flatMap((file) => {
        let bytes: Buffer;
        try {
          bytes = readFileSync(join(repo, file));
        } catch {
          return []; // deleted in the working tree
        }
        return isText(bytes) ? [{ file, text: bytes.toString('utf8') }] : [];
      })
  );
}

describe('the repository the template is packed from', () => {
  it('names a default port only where it is a port, since the scaffold rewrites every one it finds', () => {
    const defaults = Object.values(portDefinitions).map(({ port }) => port);
    const notPorts: string[] = [];
    for (const { file, text } of trackedTextFiles()) {
      for (const { index, port } of portOccurrences(text, defaults)) {
        const lineStart = text.lastIndexOf('\n', index) + 1;
        const lineEnd = text.indexOf('\n', index) === -1 ? text.length : text.indexOf('\n', index);
        const line = text.slice(lineStart, lineEnd);
        if (!portContext.test(line)) {
          const lineNumber = text.slice(0, index).split('\n').length;
          notPorts.push(`${file}:${lineNumber}: ${port} in "${line.trim()}"`);
        }
      }
    }
    // A line listed here holds one of the default ports' digits without saying it is a port. If it is one, say so
    // on the line; if it is not (a duration, a count), write it another way (3_000, '3 seconds'), or new copies
    // would get the new port's digits there.
    expect(notPorts).toEqual([]);
  });

  it("formats rewritten files with the workspace's own Prettier version, so format:check passes in a copy", () => {
    const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const own = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(own.dependencies.prettier).toBe(root.devDependencies.prettier);
  });
});
