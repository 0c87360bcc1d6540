export {
  EncryptionCodec,
  PayloadDecryptionError,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA_KEY,
  encryptionKeyIdOf,
} from './codec';
export {
  parseEncryptionKeys,
  randomEncryptionKeys,
  EncryptionKeysError,
  ENCRYPTION_KEYS_VARIABLE,
  EMPTY_KEYRING,
  type EncryptionKey,
  type Keyring,
} from './keys';
export {
  loadPayloadEncryption,
  payloadEncryption,
  workerDataConverter,
  failureConverterPath,
  type PayloadEncryption,
} from './data-converter';
