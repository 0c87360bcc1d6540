import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeFailure, encodeFailure } from '@temporalio/common/lib/internal-non-workflow';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  EncryptionKeysError,
  KEY_ID_METADATA_KEY,
  PayloadDecryptionError,
  encryptionKeyIdOf,
  loadPayloadEncryption,
  parseEncryptionKeys,
  workerDataConverter,
} from '../src';
import { failureConverter } from '../src/failure-converter';

const key = () => randomBytes(32).toString('base64');
const OLD = `2026-06=${key()}`;
const NEW = `2026-12=${key()}`;

const order = {
  orderId: '42',
  customerName: 'Ada Lovelace',
  deliveryAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345' },
  paymentMethod: 'tok_visa',
};
const text = (payload: Payload) => Buffer.from(payload.data ?? []).toString('latin1');
const flip = (data: Buffer, index: number) => data.writeUInt8(data.readUInt8(index) ^ 1, index);
const metadata = (payload: Payload, name: string) => Buffer.from(payload.metadata?.[name] ?? []).toString();

describe('the payload encryption codec', () => {
  const codec = new EncryptionCodec(parseEncryptionKeys(OLD));

  it('encrypts a payload whole, names its key in the metadata, and decrypts it back', async () => {
    const plain = defaultPayloadConverter.toPayload(order);
    const [encrypted] = await codec.encode([plain]);
    expect(metadata(encrypted!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(metadata(encrypted!, KEY_ID_METADATA_KEY)).toBe('2026-06');
    // Neither the data nor the original encoding is readable.
    expect(text(encrypted!)).not.toContain('Lovelace');
    expect(text(encrypted!)).not.toContain('json/plain');
    expect(Object.keys(encrypted!.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA_KEY]);
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(order);
    expect(metadata(decrypted!, 'encoding')).toBe('json/plain');
  });

  it('uses a fresh IV for every payload: the same value never encrypts to the same bytes', async () => {
    const plain = defaultPayloadConverter.toPayload(order);
    const [first, second] = await codec.encode([plain, plain]);
    const [a, b] = [Buffer.from(first?.data ?? []), Buffer.from(second?.data ?? [])];
    expect(a.subarray(0, 12)).not.toEqual(b.subarray(0, 12));
    expect(a).not.toEqual(b);
  });

  it('passes payloads that are not encrypted through decode, so histories from before encryption still read', async () => {
    const plain = defaultPayloadConverter.toPayload(order);
    const empty = defaultPayloadConverter.toPayload(undefined);
    await expect(codec.decode([plain, empty])).resolves.toEqual([plain, empty]);
  });

  it.each([
    ['a byte of the ciphertext', (data: Buffer) => flip(data, 20)],
    ['a byte of the IV', (data: Buffer) => flip(data, 0)],
    ['a byte of the tag', (data: Buffer) => flip(data, data.length - 1)],
  ])('refuses a payload whose %s was altered', async (_what, tamper) => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(order)]);
    const data = Buffer.from(encrypted!.data!);
    tamper(data);
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(
      new PayloadDecryptionError(
        'A payload encrypted with key "2026-06" failed authentication: it was altered, or the key with that id is not the one it was written with.',
      ),
    );
  });

  it('refuses a payload whose key id was swapped for another known key', async () => {
    const both = new EncryptionCodec(parseEncryptionKeys(`${NEW},${OLD}`));
    const [encrypted] = await both.encode([defaultPayloadConverter.toPayload(order)]);
    const swapped = {
      ...encrypted!,
      metadata: { ...encrypted!.metadata, [KEY_ID_METADATA_KEY]: Buffer.from('2026-06') },
    };
    await expect(both.decode([swapped])).rejects.toThrow(/key "2026-06" failed authentication/);
  });

  it('refuses a truncated payload', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(order)]);
    await expect(codec.decode([{ ...encrypted!, data: encrypted!.data!.subarray(0, 20) }])).rejects.toThrow(
      'A payload encrypted with key "2026-06" is too short to be one.',
    );
  });

  it('fails with the key id when a payload was written with a key it does not have', async () => {
    const [encrypted] = await new EncryptionCodec(parseEncryptionKeys(NEW)).encode([
      defaultPayloadConverter.toPayload(order),
    ]);
    await expect(codec.decode([encrypted!])).rejects.toThrow(
      'A payload is encrypted with key "2026-12", which is not in PAYLOAD_ENCRYPTION_KEYS (known: 2026-06). Add that key back to decrypt it.',
    );
    await expect(loadPayloadEncryption({}).dataConverter.payloadCodecs![0]!.decode([encrypted!])).rejects.toThrow(
      'A payload is encrypted with key "2026-12", which is not in PAYLOAD_ENCRYPTION_KEYS (no keys are set).',
    );
  });
});

describe('key rotation', () => {
  it('reads payloads written under the old key after rotation, and writes new ones under the new key', async () => {
    const before = new EncryptionCodec(parseEncryptionKeys(OLD));
    const after = new EncryptionCodec(parseEncryptionKeys(`${NEW},${OLD}`));
    const [old] = await before.encode([defaultPayloadConverter.toPayload(order)]);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload(order)]);
    expect(encryptionKeyIdOf(old!)).toBe('2026-06');
    expect(encryptionKeyIdOf(fresh!)).toBe('2026-12');
    const decoded = await after.decode([old!, fresh!]);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([order, order]);
    // The process that has not rotated yet cannot read the new key's payloads, and says which key it lacks.
    await expect(before.decode([fresh!])).rejects.toThrow(/key "2026-12", which is not in PAYLOAD_ENCRYPTION_KEYS/);
  });
});

describe('failures', () => {
  it('moves failure messages and stack traces into a payload that the codec encrypts, and reads them back', async () => {
    const codecs = [new EncryptionCodec(parseEncryptionKeys(OLD))];
    const error = ApplicationFailure.create({ message: 'Card tok_visa for 1 Main St was declined', type: 'Declined' });
    const failure = failureConverter.errorToFailure(error, defaultPayloadConverter);
    const encoded = await encodeFailure(codecs, failure);
    expect(encoded.message).toBe('Encoded failure');
    expect(encoded.stackTrace).toBe('');
    expect(JSON.stringify(encoded)).not.toContain('1 Main St');
    expect(encryptionKeyIdOf(encoded.encodedAttributes!)).toBe('2026-06');

    const decoded = failureConverter.failureToError(await decodeFailure(codecs, encoded), defaultPayloadConverter);
    expect(decoded).toBeInstanceOf(ApplicationFailure);
    expect(decoded.message).toBe('Card tok_visa for 1 Main St was declined');
    expect((decoded as ApplicationFailure).type).toBe('Declined');
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS', () => {
  it('encrypts with the first key and decrypts with all of them', () => {
    const keys = parseEncryptionKeys(` ${NEW} , ${OLD} `);
    expect(keys.current?.id).toBe('2026-12');
    expect([...keys.byId.keys()]).toEqual(['2026-12', '2026-06']);
  });

  it.each([
    [
      'a key of the wrong length',
      `short=${randomBytes(16).toString('base64')}`,
      'PAYLOAD_ENCRYPTION_KEYS: key "short" is 16 bytes; AES-256 needs exactly 32 (make one with `openssl rand -base64 32`)',
    ],
    [
      'a key that is not base64',
      `typo=${key().slice(0, 20)}!${key().slice(21)}`,
      'PAYLOAD_ENCRYPTION_KEYS: key "typo" is not valid base64',
    ],
    ['an empty key', 'empty=', 'PAYLOAD_ENCRYPTION_KEYS: entry 1 of 1 must be "<key id>=<base64 key>"'],
    [
      'a duplicate key id',
      `${OLD},${OLD.replace(/=.*/, `=${key()}`)}`,
      'PAYLOAD_ENCRYPTION_KEYS: key id "2026-06" appears twice',
    ],
    ['an entry without an id', key(), 'PAYLOAD_ENCRYPTION_KEYS: entry 1 of 1 must be "<key id>=<base64 key>"'],
    ['a trailing comma', `${OLD},`, 'PAYLOAD_ENCRYPTION_KEYS: entry 2 of 2 must be "<key id>=<base64 key>"'],
    [
      'a key id with a space',
      `my key=${key()}`,
      'PAYLOAD_ENCRYPTION_KEYS: entry 1 of 1: the key id must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ],
  ])('refuses %s, naming the variable', (_what, value, message) => {
    expect(() => loadPayloadEncryption({ PAYLOAD_ENCRYPTION_KEYS: value })).toThrow(new EncryptionKeysError(message));
  });

  it.each([
    ['a key of the wrong length', (secret: string) => `k=${secret}`],
    ['a key without an id', (secret: string) => secret],
    ['a key without an id, padded', (secret: string) => `${secret}=`],
  ])('never puts key material in an error message: %s', (_what, entry) => {
    const secret = randomBytes(31).toString('base64').replace(/=+$/, '');
    let message = '';
    try {
      parseEncryptionKeys(entry(secret));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^PAYLOAD_ENCRYPTION_KEYS: /);
    expect(message).not.toContain(secret.slice(0, 12));
  });

  it('is required in production, and optional elsewhere (payloads are then written in plain)', () => {
    expect(() => loadPayloadEncryption({ NODE_ENV: 'production' })).toThrow(
      /^PAYLOAD_ENCRYPTION_KEYS: is required in production/,
    );
    expect(() => loadPayloadEncryption({ NODE_ENV: 'production', PAYLOAD_ENCRYPTION_KEYS: ' ' })).toThrow(
      /is required in production/,
    );
    const plain = loadPayloadEncryption({ NODE_ENV: 'test' });
    expect(plain.encryptingKeyId).toBeUndefined();
    expect(loadPayloadEncryption({ NODE_ENV: 'production', PAYLOAD_ENCRYPTION_KEYS: OLD }).encryptingKeyId).toBe(
      '2026-06',
    );
  });

  it('gives the clients the codec, and the workers the same codec and the encoding failure converter', () => {
    const encryption = loadPayloadEncryption({ PAYLOAD_ENCRYPTION_KEYS: OLD });
    expect(encryption.dataConverter).toEqual({ payloadCodecs: [expect.any(EncryptionCodec)] });
    const worker = workerDataConverter(encryption);
    expect(worker.payloadCodecs).toBe(encryption.dataConverter.payloadCodecs);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK loads it by path the same way
    expect(require(worker.failureConverterPath!)).toMatchObject({
      failureConverter: { options: { encodeCommonAttributes: true } },
    });
  });
});
