import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * A SQLite database for a service's durable state: write-ahead log synced on every commit (a committed answer
 * survives a power cut, not only a crash: worth the fsync for money and messages), foreign keys on.
 */
export function openDatabase(filename: string, schema: string): Database.Database {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.exec(schema);
  return db;
}

/** Whether a database is open and answers a query: a service's readiness. */
export function databaseAnswers(db: Database.Database): boolean {
  try {
    return db.open && db.prepare<[], { one: number }>('SELECT 1 AS one').get()?.one === 1;
  } catch {
    return false;
  }
}
