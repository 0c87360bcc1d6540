import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Makes a database file readable by its owner only (0600) before SQLite opens it, in a folder made 0700 if it has to
 * be made: SQLite gives the -wal and -shm files the mode of the database file, so they follow. Files made by an older
 * version (0644) are tightened too. An existing folder is left as it is (it may be a volume or /tmp; `npm run dev`
 * tightens its own .data/ folders).
 */
export function ownerOnlyDatabase(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  closeSync(openSync(filename, 'a', 0o600));
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`, `${filename}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/**
 * A SQLite database for a service's durable state: write-ahead log synced on every commit (a committed answer
 * survives a power cut, not only a crash: worth the fsync for money and messages), foreign keys on; the files are
 * the owner's only (ownerOnlyDatabase).
 */
export function openDatabase(filename: string, schema: string): Database.Database {
  if (filename !== ':memory:') ownerOnlyDatabase(filename);
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
