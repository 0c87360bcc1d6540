import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './codec';
import {
  EMPTY_KEYRING,
  ENCRYPTION_KEYS_VARIABLE,
  EncryptionKeysError,
  parseEncryptionKeys,
  type Keyring,
} from './keys';

/** How this process reads and writes payloads, from one place, so the worker and the apps cannot disagree. */
export interface PayloadEncryption {
  readonly keyring: Keyring;
  /**
   * For clients (`new Client(...)`): the encryption codec. Clients write payloads but no failures, and every failure
   * converter reads a failure's encrypted message back, so this is all they need; it has no file path in it, so it
   * works from the apps' bundled server code too. Workers take {@link workerDataConverter}.
   */
  readonly dataConverter: DataConverter;
  /** The key new payloads are encrypted with; undefined when no key is set and payloads are written in plain. */
  readonly encryptingKeyId?: string;
}

/** The payload encryption of a keyring (the codec runs outside the workflow sandbox: nothing to bundle). */
export function payloadEncryption(keyring: Keyring): PayloadEncryption {
  return {
    keyring,
    dataConverter: { payloadCodecs: [new EncryptionCodec(keyring)] },
    ...(keyring.current ? { encryptingKeyId: keyring.current.id } : {}),
  };
}

/**
 * The failure converter's module, by path, for the workflow bundle (apps/worker's build) and the workers: failures
 * raised by workflow code are converted inside the sandbox, those of activities in the worker.
 */
export function failureConverterPath(): string {
  return require.resolve('./failure-converter');
}

/**
 * For `Worker.create` and `Worker.runReplayHistory`: the codec, and the failure converter that moves failure
 * messages and stack traces into (encrypted) payloads.
 */
export function workerDataConverter(encryption: PayloadEncryption): DataConverter {
  return { ...encryption.dataConverter, failureConverterPath: failureConverterPath() };
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
