#!/usr/bin/env node
// The HEALTHCHECK of this project's images (Node images have no curl): exits 0 when GET <url> answers 2xx within
// four seconds, 1 otherwise, saying why on stderr (Docker keeps it in `docker inspect`). The URL is the argument,
// or else HEALTHCHECK_URL, which deploy/Dockerfile sets from each app's build args.
const url = process.argv[2] ?? process.env.HEALTHCHECK_URL;
if (!url) {
  console.error('usage: healthcheck.mjs <url> (or set HEALTHCHECK_URL)');
  process.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  if (!response.ok) console.error(`${url} answered ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
