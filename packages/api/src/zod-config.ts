import { z } from 'zod';

/**
 * The schemas also run in the browser, under a Content-Security-Policy without 'unsafe-eval'. zod's JIT probes
 * `new Function` when an object schema is made, and the browser reports that as a CSP violation even though zod
 * catches it and falls back. Without the JIT, zod never tries; parsing the apps' small inputs costs the same. zod
 * reads this as each schema is made, so the apps load it first in the browser (src/instrumentation-client.ts, which
 * Next runs before the app's own code), and the schemas module loads it before its own imports.
 */
z.config({ jitless: true });
