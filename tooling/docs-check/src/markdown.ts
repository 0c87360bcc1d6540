/**
 * Just enough Markdown for checking the repository's pages: headings and their GitHub anchors, links and images,
 * and fenced code blocks, each with its line number. Fenced code is skipped when looking for headings and links,
 * and inline code when looking for links, as GitHub renders neither as one.
 */

export interface Heading {
  readonly line: number;
  readonly level: number;
  readonly text: string;
  /** The anchor GitHub gives it (`#…`), duplicates numbered as GitHub does. */
  readonly slug: string;
}

export interface Link {
  readonly line: number;
  readonly text: string;
  readonly target: string;
  readonly image: boolean;
}

export interface CodeBlock {
  /** The line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly lines: readonly string[];
}

export interface MarkdownPage {
  readonly headings: readonly Heading[];
  readonly links: readonly Link[];
  readonly codeBlocks: readonly CodeBlock[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/;

/** The text a heading shows, without Markdown: link and image targets, code ticks, emphasis, HTML tags. */
export function headingText(markdown: string): string {
  // Odd parts are code spans: their text stays as it is (`<order id>` is text there, not a tag).
  return markdown
    .split(/`([^`]*)`/)
    .map((part, index) =>
      index % 2 === 1
        ? part
        : part
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/<[^>]+>/g, '')
            .replace(/\*\*|__|\*/g, ''),
    )
    .join('')
    .trim();
}

/**
 * GitHub's anchor for a heading's text (github-slugger): lower case, every character that is not a letter, a mark,
 * a number, a connector (`_`), a hyphen or a space dropped, and each space made a hyphen.
 */
export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Links and images on one line of prose, inline code left out. `[text](target "title")` and `(<target>)` too. */
export function linksOnLine(line: string): { text: string; target: string; image: boolean }[] {
  const found: { text: string; target: string; image: boolean }[] = [];
  // Inline code inside a link's text (`[`createOrder`](…)`) is part of the link; anywhere else it is not prose.
  const pattern = /(!?)\[((?:[^[\]`]|`[^`]*`|\[[^\]]*\])*)\]\((<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\)/g;
  const outsideCode = stripInlineCodeOutsideLinks(line);
  for (const match of outsideCode.matchAll(pattern)) {
    const target = match[3] ?? '';
    found.push({
      text: match[2] ?? '',
      target: target.startsWith('<') ? target.slice(1, -1) : target,
      image: match[1] === '!',
    });
  }
  return found;
}

/**
 * Blanks inline code that is not the text of a link, so that a link written inside code is not taken for one. A code
 * span opens with a run of backticks and closes with the next run of the same length (`` `a` `` is one span).
 */
function stripInlineCodeOutsideLinks(line: string): string {
  const runAt = (at: number) => {
    let length = 0;
    while (line[at + length] === '`') length++;
    return length;
  };
  let out = '';
  let index = 0;
  while (index < line.length) {
    if (line[index] !== '`') {
      out += line[index];
      index++;
      continue;
    }
    const open = runAt(index);
    let close = -1;
    for (let at = index + open; at < line.length;) {
      const run = runAt(at);
      if (run === open) {
        close = at;
        break;
      }
      at += Math.max(run, 1);
    }
    if (close < 0) {
      out += line.slice(index, index + open);
      index += open;
      continue;
    }
    const before = line.slice(0, index);
    // Inside a link's text: an unclosed `[` before the code.
    const inLinkText = before.lastIndexOf('[') > before.lastIndexOf(']');
    out += inLinkText ? line.slice(index, close + open) : ' '.repeat(close + open - index);
    index = close + open;
  }
  return out;
}

export function parseMarkdown(source: string): MarkdownPage {
  const headings: Heading[] = [];
  const links: Link[] = [];
  const codeBlocks: CodeBlock[] = [];
  const seen = new Map<string, number>();
  const lines = source.split('\n');
  let fence: { marker: string; block: { line: number; language: string; lines: string[] } } | undefined;
  lines.forEach((line, index) => {
    const number = index + 1;
    const fenceMatch = FENCE.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1]!.startsWith(fence.marker) && line.trim() === fenceMatch[1]) {
        codeBlocks.push(fence.block);
        fence = undefined;
      } else {
        fence.block.lines.push(line);
      }
      return;
    }
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      fence = { marker, block: { line: number, language: fenceMatch[2] ?? '', lines: [] } };
      return;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const text = headingText(heading[2] ?? '');
      const base = githubSlug(text);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      headings.push({ line: number, level: heading[1]!.length, text, slug: count === 0 ? base : `${base}-${count}` });
    }
    for (const link of linksOnLine(line)) links.push({ line: number, ...link });
  });
  return { headings, links, codeBlocks };
}

/**
 * The shell commands of a code block, one per command: continuation lines (a trailing `\`, or a quote left open)
 * joined, comment lines kept apart as comments. A comment whose text is itself a command (`#   npm run …`) is
 * returned as `commented`, so checks can hold commented-out commands to the same rules.
 */
export function shellCommands(block: readonly string[]): { line: number; command: string; commented: boolean }[] {
  const commands: { line: number; command: string; commented: boolean }[] = [];
  let pending: { line: number; text: string } | undefined;
  block.forEach((raw, index) => {
    if (!pending && raw.trim().startsWith('#')) {
      commands.push({ line: index, command: raw.trim().replace(/^#\s*/, ''), commented: true });
      return;
    }
    if (!pending && raw.trim() === '') return;
    pending = pending ? { line: pending.line, text: `${pending.text}\n${raw}` } : { line: index, text: raw };
    if (raw.endsWith('\\') || openQuote(pending.text)) return;
    commands.push({ line: pending.line, command: pending.text, commented: false });
    pending = undefined;
  });
  if (pending) commands.push({ line: pending.line, command: pending.text, commented: false });
  return commands;
}

/** Whether a shell text ends inside a single- or double-quoted string. */
export function openQuote(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === quote) quote = undefined;
      else if (quote === '"' && char === '\\') i++;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '\\') {
      i++;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      // A comment runs to the end of its line.
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    }
  }
  return quote !== undefined;
}

/** A command line without its leading `NAME=value` assignments: `TEMPORAL_ADDRESS=… npm start` → `npm start`. */
export function withoutAssignments(command: string): string {
  let rest = command.trimStart();
  for (;;) {
    const assignment = /^[A-Za-z_][A-Za-z0-9_]*=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s+/.exec(rest);
    if (!assignment) return rest;
    rest = rest.slice(assignment[0].length);
  }
}
