import escapeHtml from 'escape-html';
// The sign-in page for operators who use the Temporal Web UI: the UI cannot be told to send a token, but it can
// send this server's cookie (its codec setting "includeCredentials", which `pnpm dev` turns on). No script, no
// external asset.

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}button{font:inherit;padding:.4rem 1rem;margin-top:.75rem}
.error{color:#b42318}code{background:#f3f4f6;padding:0 .2rem}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function signInPage(error?: string): string {
  return page(
    'Codec server — sign in',
    `<h1>Durable Delivery codec server</h1>
<p>Operators sign in here so the Temporal Web UI can show decrypted payloads. Until then the UI shows
<q>Encrypted: sign in to the codec server…</q> where an order's details would be.</p>
${error ? `<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/signin">
<label for="token">Codec server token (<code>CODEC_SERVER_TOKEN</code>)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** `self`: this server's address as the browser reached it, the endpoint to give the Web UI. */
export function signedInPage(allowedOrigins: readonly string[], self: string): string {
  const origins = allowedOrigins.map((origin) => `<code>${escapeHtml(origin)}</code>`).join(', ');
  return page(
    'Codec server — signed in',
    `<h1>Signed in</h1>
<p>This browser may now decode payloads for the Temporal Web UI at ${origins}, for 12 hours. Open (or reload) the
Web UI under the same host name as this page, for example both on 127.0.0.1: the session cookie goes to the same site
only. With <code>pnpm dev</code> there is nothing to set in the UI.</p>
<p>A Web UI that was not started by <code>pnpm dev</code> still shows <q>Encrypted: sign in…</q> or <q>Codec Server could
not connect</q>. Set it up once, in this order:</p>
<ol>
<li>In the Web UI, click the codec server icon at the top right (the data encoder settings).</li>
<li>Choose <strong>Use my browser setting</strong>.</li>
<li>Paste this server's address as the endpoint: <code>${escapeHtml(self)}</code>.</li>
<li>Turn on <strong>Include cross-origin credentials</strong>, apply, and reload the page.</li>
</ol>
<p>Or set <code>codec.endpoint</code> and <code>codec.includeCredentials: true</code> in that UI server's
configuration, which is what <code>pnpm dev</code> does.</p>
<form method="post" action="/signout"><button type="submit">Sign out</button></form>`,
  );
}
