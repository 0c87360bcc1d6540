// The reader's pages — README.md, ARCHITECTURE.md and docs/**/*.md — checked against the repository they describe:
// every relative link and image resolves, every #anchor names a heading (GitHub's anchors), every code reference
// (`[`identifier`](path#Lx-Ly)`) points at lines that hold its identifier, every `npm run` script named exists, and
// no shell command needs pnpm on the PATH (after `npm run dev` or `npm test` on a new machine it is not: the bootstrap
// keeps it in a cache). Files only, no servers: part of `npm run test:fast`.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseMarkdown, shellCommands, withoutAssignments, type MarkdownPage } from '../src/markdown';

const repo = resolve(__dirname, '../../..');

function markdownUnder(dir: string): string[] {
  if (!existsSync(join(repo, dir))) return [];
  return readdirSync(join(repo, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const PAGES = ['README.md', 'ARCHITECTURE.md', ...markdownUnder('docs').sort()];

const parsed = new Map<string, MarkdownPage>();
function page(path: string): MarkdownPage {
  let found = parsed.get(path);
  if (!found) {
    found = parseMarkdown(readFileSync(join(repo, path), 'utf8'));
    parsed.set(path, found);
  }
  return found;
}

const CODE_REFERENCE = /^L(\d+)(?:-L(\d+))?$/;

interface ResolvedLink {
  readonly where: string;
  readonly text: string;
  /** Repository-relative path of the target ('' outside the repository), and the part after `#`. */
  readonly path: string;
  readonly fragment?: string;
}

/** Every relative link of a page, resolved against the page's folder; web addresses and the like are left out. */
function relativeLinks(path: string): ResolvedLink[] {
  return page(path).links.flatMap((link) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return [];
    const hash = link.target.indexOf('#');
    const file = decodeURIComponent(hash < 0 ? link.target : link.target.slice(0, hash));
    const fragment = hash < 0 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
    const absolute = file === '' ? join(repo, path) : resolve(join(repo, dirname(path)), file);
    const inRepo = absolute === repo || absolute.startsWith(repo + sep);
    return [
      {
        where: `${path}:${link.line} [${link.text}](${link.target})`,
        text: link.text,
        path: inRepo ? relative(repo, absolute).split(sep).join('/') : '',
        ...(fragment !== undefined ? { fragment } : {}),
      },
    ];
  });
}

/**
 * A copy made by create-durable-delivery leaves the scaffold out (it carries the app, not itself), so in a copy a link
 * to the scaffold's own files has nothing to point at. Here, where the scaffold is, those links are checked as any.
 */
const SCAFFOLD = 'tooling/create-durable-delivery';
const leftOutOfThisCopy = (path: string) => path.startsWith(`${SCAFFOLD}/`) && !existsSync(join(repo, SCAFFOLD));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the front door', () => {
  // README.md had grown to 1,201 lines (runbook, benchmark essays, configuration): a front door stays short, and
  // every other subject has its page under docs/.
  it('README.md is at most 300 lines', () => {
    expect(readFileSync(join(repo, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(300);
  });

  // ARCHITECTURE.md's package table once had cells of up to 674 characters: one line each, the detail in docs/.
  it("ARCHITECTURE.md's tables have cells of one short line", () => {
    const cells = readFileSync(join(repo, 'ARCHITECTURE.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .flatMap((line) => line.split('|').map((cell) => cell.trim()));
    expect(cells.length).toBeGreaterThan(20);
    expect(cells.filter((cell) => cell.length > 100)).toEqual([]);
  });
});

describe('the pages a reader is given', () => {
  it('are README.md, ARCHITECTURE.md and the pages under docs/', () => {
    expect(PAGES).toEqual(expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'docs/operations.md']));
  });

  it.each(PAGES)('%s: every relative link and image points at a file or folder in the repository', (path) => {
    const broken = relativeLinks(path)
      .filter((link) => link.path === '' || (!existsSync(join(repo, link.path)) && !leftOutOfThisCopy(link.path)))
      .map((link) => link.where);
    expect(broken).toEqual([]);
  });

  it.each(PAGES)('%s: every #anchor names a heading of the page it links to, as GitHub makes anchors', (path) => {
    const broken = relativeLinks(path).flatMap((link) => {
      if (link.fragment === undefined || CODE_REFERENCE.test(link.fragment)) return [];
      if (link.path === '' || !existsSync(join(repo, link.path))) return []; // reported by the test above
      if (!link.path.endsWith('.md') || statSync(join(repo, link.path)).isDirectory()) {
        return [`${link.where}: an anchor on a file that is not a Markdown page`];
      }
      const slugs = page(link.path).headings.map((heading) => heading.slug);
      if (link.fragment === '' || slugs.includes(link.fragment)) return [];
      return [`${link.where}: no heading with that anchor in ${link.path} (it has: ${slugs.join(', ')})`];
    });
    expect(broken).toEqual([]);
  });

  it.each(PAGES)('%s: every code reference names lines that exist and hold its `identifier`', (path) => {
    const broken = relativeLinks(path).flatMap((link) => {
      const range = link.fragment === undefined ? undefined : CODE_REFERENCE.exec(link.fragment);
      if (!range) return [];
      if (link.path === '' || !existsSync(join(repo, link.path))) return []; // reported above
      const from = Number(range[1]);
      const to = Number(range[2] ?? range[1]);
      const lines = readFileSync(join(repo, link.path), 'utf8').split('\n');
      if (from < 1 || to < from || to > lines.length) {
        return [`${link.where}: lines ${from}–${to} are not in ${link.path} (${lines.length} lines)`];
      }
      const identifiers = [...link.text.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
      if (identifiers.length === 0) return [`${link.where}: a code reference needs its \`identifier\` in the text`];
      const span = lines.slice(from - 1, to).join('\n');
      return identifiers
        .filter((identifier) => !new RegExp(`(?<![\\w$])${escapeRegExp(identifier)}(?![\\w$])`).test(span))
        .map((identifier) => `${link.where}: \`${identifier}\` is not on lines ${from}–${to} of ${link.path}`);
    });
    expect(broken).toEqual([]);
  });

  it.each(PAGES)('%s: no shell command (commented-out ones included) needs pnpm on the PATH', (path) => {
    const needPnpm = page(path)
      .codeBlocks.filter((block) => ['sh', 'bash', 'shell', 'console'].includes(block.language))
      .flatMap((block) =>
        shellCommands(block.lines).flatMap(({ line, command }) =>
          command
            .split(/&&|\|\||;|\|/)
            .map((part) => withoutAssignments(part.replace(/^\s*\$\s+/, '')))
            .filter((part) => /^pnpm(\s|$)/.test(part))
            .map(() => `${path}:${block.line + 1 + line}: ${command.split('\n')[0]}`),
        ),
      );
    expect(needPnpm).toEqual([]);
  });

  it.each(PAGES)('%s: every `npm run <script>` it gives is a script of the package it runs in', (path) => {
    const source = readFileSync(join(repo, path), 'utf8');
    const { codeBlocks } = page(path);
    // Code only: inline code spans outside the fences, and the fenced blocks.
    const code = [
      ...[...source.replace(/^ {0,3}(```|~~~)[\s\S]*?^ {0,3}\1/gm, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? ''),
      ...codeBlocks.map((block) => block.lines.join('\n')),
    ];
    const missing = code.flatMap((text) =>
      [...text.matchAll(/(?:\bcd\s+(\S+)\s+&&\s+)?\bnpm run(?:\s+(?:-s|--silent))?\s+([\w:.-]+)/g)].flatMap((match) => {
        const dir = match[1] ?? '.';
        const script = match[2] ?? '';
        const manifest = join(repo, dir, 'package.json');
        const scripts = existsSync(manifest)
          ? ((JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {})
          : {};
        return script in scripts ? [] : [`${path}: \`${match[0]}\`: no script "${script}" in ${dir}/package.json`];
      }),
    );
    expect(missing).toEqual([]);
  });
});
