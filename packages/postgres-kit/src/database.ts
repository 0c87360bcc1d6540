import pg from 'pg';

/** How long each connection attempt waits: a database that is down fails the caller in seconds, not minutes. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Creates the PostgreSQL database the URL names when it is missing, so a service gets its own database on a server
 * that starts with others only (compose's PostgreSQL starts with Temporal's databases): the notification inbox, the
 * driver accounts. It connects to the `postgres` database of the same server, as the same user, to create it.
 *
 * Any other failure is thrown, the server being down included (a connection error, or a timeout after five
 * seconds), and nothing is remembered: a caller that opens again after an outage simply calls this again. Replicas
 * starting together may all find the database missing: the ones that lose the race to create it succeed too.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error; // 3D000: no such database
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  // The name goes into the statement itself (CREATE DATABASE takes no parameters): only plain identifiers.
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`cannot create the database "${name}": use letters, digits, "_"`);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    // Made by another replica meanwhile: 42P04, or 23505 when the two catalog inserts race.
    if (!['42P04', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
