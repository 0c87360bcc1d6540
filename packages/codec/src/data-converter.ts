import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './codec';
import {
  EMPTY_KEYRING,
  ENCRYPTION_KEYS_VARIABLE,
  EncryptionKeysError,
  parseEncryptionKeys,
  type Keyring,
} from './keys';

/**
 * The failure converter's module, by path: the workflow bundle (apps/worker's build) and every client and worker
 * load it from here, so workflow code, activities and callers all encode failures alike.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** How this process reads and writes payloads, from one place, so the worker and the apps cannot disagree. */
export interface PayloadEncryption {
  readonly keyring: Keyring;
  /** For `Worker.create`, `new Client(...)` and `Worker.runReplayHistory`. */
  readonly dataConverter: DataConverter;
  /** The key new payloads are encrypted with; undefined when no key is set and payloads are written in plain. */
  readonly encryptingKeyId?: string;
}

/** The data converter for a keyring: the encryption codec (runs outside the workflow sandbox) and the failure converter. */
export function payloadEncryption(keyring: Keyring): PayloadEncryption {
  return {
    keyring,
    dataConverter: { payloadCodecs: [new EncryptionCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH },
    ...(keyring.current ? { encryptingKeyId: keyring.current.id } : {}),
  };
}

/**
 * Payload encryption from PAYLOAD_ENCRYPTION_KEYS. Unset (or empty) is refused when NODE_ENV=production; anywhere
 * else it means payloads are written in plain, and encrypted ones still fail to decode with a message naming their
 * key id. Throws {@link EncryptionKeysError} (its message starts with the variable's name) for a bad list.
 */
export function loadPayloadEncryption(env: NodeJS.ProcessEnv = process.env): PayloadEncryption {
  const raw = env[ENCRYPTION_KEYS_VARIABLE]?.trim();
  if (!raw) {
    if (env.NODE_ENV === 'production') {
      throw new EncryptionKeysError(
        `${ENCRYPTION_KEYS_VARIABLE}: is required in production (comma-separated "<key id>=<base64 of 32 bytes>", ` +
          'the first one encrypting; e.g. `2026-06=$(openssl rand -base64 32)`)',
      );
    }
    return payloadEncryption(EMPTY_KEYRING);
  }
  return payloadEncryption(parseEncryptionKeys(raw));
}
