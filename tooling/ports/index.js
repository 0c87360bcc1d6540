// The one place that says which loopback port each local process of `pnpm dev` / `pnpm start` listens on: the
// apps' Next.js servers, the Temporal dev server and its Web UI, the services. Everything that needs a default port
// reads it from ports.json, so changing a port is one edit in code (the docs name the defaults too, which is why
// create-durable-delivery rewrites every file). Environment variables (TEMPORAL_DEV_PORT, PAYMENTS_PORT, …) still
// override them for one run.
const definitions = require('./ports.json');

const ports = Object.freeze(Object.fromEntries(Object.entries(definitions).map(([name, { port }]) => [name, port])));

function portOf(name) {
  if (!Object.hasOwn(ports, name)) {
    throw new Error(`No port is named "${name}" in @durable-delivery/ports; known: ${Object.keys(ports).join(', ')}.`);
  }
  return ports[name];
}

module.exports = { ports, portOf };
