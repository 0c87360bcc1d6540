import { githubSlug, headingText, linksOnLine, openQuote, parseMarkdown, shellCommands } from '../src/markdown';

describe('GitHub anchors', () => {
  // Anchors README.md linked to on GitHub before its sections moved to docs/.
  it.each([
    ['Chaos: nothing lost, nothing twice', 'chaos-nothing-lost-nothing-twice'],
    ['In containers: `docker-compose.yml`', 'in-containers-docker-composeyml'],
    ['Observability: health, metrics, traces, logs', 'observability-health-metrics-traces-logs'],
    ["Why the worker's settings are what they are", 'why-the-workers-settings-are-what-they-are'],
    ['Time-travel debugging: `npm run replay -- <order id>`', 'time-travel-debugging-npm-run-replay----order-id'],
    ['`packages/api` (`/schemas`, `/server`)', 'packagesapi-schemas-server'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(headingText(heading))).toBe(slug);
  });

  it('numbers a repeated heading as GitHub does', () => {
    const { headings } = parseMarkdown('# A\n\n## Tests\n\n```sh\n# not a heading\n```\n\n## Tests\n');
    expect(headings.map((heading) => heading.slug)).toEqual(['a', 'tests', 'tests-1']);
  });
});

describe('links', () => {
  it('finds links and images, code references with code in their text, and nothing inside inline code', () => {
    expect(
      linksOnLine(
        'See [`createOrder`](a/b.ts#L1-L2), ![x](docs/x.png) and [p](<a [id]/c.tsx>), not `[y](z)`, `` [`w`](v) `` or `z`.',
      ),
    ).toEqual([
      { text: '`createOrder`', target: 'a/b.ts#L1-L2', image: false },
      { text: 'x', target: 'docs/x.png', image: true },
      { text: 'p', target: 'a [id]/c.tsx', image: false },
    ]);
  });
});

describe('shell commands', () => {
  it('joins continuation lines and quoted line breaks, and keeps comments apart', () => {
    const block = [
      '# Start one:',
      'npm run -s temporal -- workflow start --workflow-id order-42 \\',
      '  --input \'{"a":1,',
      '            "b":2}\'',
      '',
      '#   npm run -s temporal -- workflow signal',
      'echo done # trailing',
    ];
    expect(shellCommands(block)).toEqual([
      { line: 0, command: 'Start one:', commented: true },
      { line: 1, command: block.slice(1, 4).join('\n'), commented: false },
      { line: 5, command: 'npm run -s temporal -- workflow signal', commented: true },
      { line: 6, command: 'echo done # trailing', commented: false },
    ]);
    expect(openQuote("a '#b")).toBe(true);
    expect(openQuote("a # it's")).toBe(false);
  });
});
