import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ENCRYPTION_KEYS_VARIABLE, type EncryptionKey, type Keyring } from './keys';

/** Metadata of an encrypted payload. Everything else about the original (its own encoding too) is inside. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
// 96-bit IVs are GCM's native size; a fresh random one per payload keeps (key, IV) pairs unique far beyond the
// number of payloads one key will ever encrypt here (rotate keys well before 2^32 payloads).
const IV_BYTES = 12;
const TAG_BYTES = 16;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
const ProtoPayload = temporal.api.common.v1.Payload;

/** A payload this process cannot decrypt: an unknown key id, or data that fails authentication. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * Encrypts every payload with the keyring's current key (AES-256-GCM: a random 96-bit IV per payload, the 128-bit
 * tag checked on decrypt, the key id bound in as associated data so it cannot be swapped). The whole original
 * payload, metadata included, is encrypted, so its encoding and size class reveal nothing beyond its length.
 * Payloads that are not encrypted pass through decode untouched: histories written before encryption was turned
 * on still replay and still read. Without a current key, encode passes payloads through too.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keyring.current;
    return settle(() => (key ? payloads.map((payload) => encrypt(payload, key)) : payloads));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() => payloads.map((payload) => this.decrypt(payload)));
  }

  private decrypt(payload: Payload): Payload {
    if (metadataText(payload, 'encoding') !== ENCRYPTED_ENCODING) return payload;
    const keyId = metadataText(payload, KEY_ID_METADATA_KEY);
    if (keyId === undefined) throw new PayloadDecryptionError('An encrypted payload carries no encryption key id.');
    const key = this.keyring.byId.get(keyId);
    if (!key) {
      const known = [...this.keyring.byId.keys()];
      throw new PayloadDecryptionError(
        `A payload is encrypted with key "${keyId}", which is not in ${ENCRYPTION_KEYS_VARIABLE} ` +
          `(${known.length > 0 ? `known: ${known.join(', ')}` : 'no keys are set'}). Add that key back to decrypt it.`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`A payload encrypted with key "${keyId}" is too short to be one.`);
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(textEncoder.encode(keyId));
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `A payload encrypted with key "${keyId}" failed authentication: it was altered, or the key with that id is not the one it was written with.`,
      );
    }
    const original = ProtoPayload.decode(plaintext);
    return { metadata: original.metadata, data: original.data };
  }
}

/** The work is synchronous; a bad payload must still reject the promise rather than throw at the call. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function encrypt(payload: Payload, key: EncryptionKey): Payload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(textEncoder.encode(key.id));
  const plaintext = ProtoPayload.encode(payload).finish();
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    metadata: {
      encoding: textEncoder.encode(ENCRYPTED_ENCODING),
      [KEY_ID_METADATA_KEY]: textEncoder.encode(key.id),
    },
    data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
  };
}

function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? textDecoder.decode(value) : undefined;
}

/** The key id an encrypted payload was written with; undefined for a payload that is not encrypted. */
export function encryptionKeyIdOf(payload: Payload): string | undefined {
  return metadataText(payload, 'encoding') === ENCRYPTED_ENCODING
    ? metadataText(payload, KEY_ID_METADATA_KEY)
    : undefined;
}
