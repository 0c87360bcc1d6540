import type { Inbox, InboxStore } from './inbox';
import { PostgresInbox } from './postgres-inbox';
import { SqliteInbox } from './sqlite-inbox';

/** The inbox the configuration names: PostgreSQL (schema made, listening) or the SQLite file. */
export async function openInbox(store: InboxStore): Promise<Inbox> {
  if (store.kind === 'postgres') return await PostgresInbox.open(store.url);
  return new SqliteInbox(store.file);
}
