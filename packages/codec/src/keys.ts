import { randomBytes } from 'node:crypto';

/** The variable that holds the keys: `id=<base64 of 32 bytes>`, comma-separated, the first one encrypting. */
export const ENCRYPTION_KEYS_VARIABLE = 'PAYLOAD_ENCRYPTION_KEYS';

const KEY_BYTES = 32;
// Key ids travel in every payload's metadata and in error messages: short, printable, no separators of the list.
const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * The keys this process knows. `current` encrypts every new payload; every key decrypts, so histories written
 * before a rotation stay readable for as long as their key stays in the list.
 */
export interface Keyring {
  readonly current?: EncryptionKey;
  readonly byId: ReadonlyMap<string, EncryptionKey>;
}

export const EMPTY_KEYRING: Keyring = { byId: new Map() };

/** A key list that cannot be used; the message names the variable and the entry, never key material. */
export class EncryptionKeysError extends Error {
  override readonly name = 'EncryptionKeysError';
}

/**
 * Parses `2026-12=<base64>,2026-06=<base64>`. Strict on purpose: Node's base64 decoder skips characters it does
 * not know, so a truncated or mistyped key would otherwise turn into a different key without a word.
 */
export function parseEncryptionKeys(value: string, variable = ENCRYPTION_KEYS_VARIABLE): Keyring {
  const fail = (problem: string) => new EncryptionKeysError(`${variable}: ${problem}`);
  const keys: EncryptionKey[] = [];
  const byId = new Map<string, EncryptionKey>();
  const entries = value.split(',');
  for (const [index, rawEntry] of entries.entries()) {
    const entry = rawEntry.trim();
    const position = `entry ${index + 1} of ${entries.length}`;
    const separator = entry.indexOf('=');
    if (separator <= 0) throw fail(`${position} must be "<key id>=<base64 key>"`);
    const id = entry.slice(0, separator).trim();
    const encoded = entry.slice(separator + 1).trim();
    // A bare key split at its base64 padding: say so without echoing the key as if it were an id.
    if (/^=*$/.test(encoded)) throw fail(`${position} must be "<key id>=<base64 key>"`);
    if (!KEY_ID_PATTERN.test(id)) {
      throw fail(
        `${position}: the key id must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    if (byId.has(id)) throw fail(`key id "${id}" appears twice`);
    if (!BASE64_PATTERN.test(encoded)) throw fail(`key "${id}" is not valid base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) {
      throw fail(
        `key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES} (make one with \`openssl rand -base64 32\`)`,
      );
    }
    const parsed = { id, key };
    keys.push(parsed);
    byId.set(id, parsed);
  }
  return { current: keys[0], byId };
}

/** A fresh one-key list for a test stack: `<id>=<32 random bytes in base64>`. */
export function randomEncryptionKeys(id = 'test'): string {
  return `${id}=${randomBytes(KEY_BYTES).toString('base64')}`;
}
