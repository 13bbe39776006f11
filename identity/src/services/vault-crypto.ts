import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Thrown for every decryption failure (wrong key, tampered or truncated ciphertext, another row's
 * ciphertext). It carries no cause: the message is all that may reach a log, and it must say
 * nothing about the material.
 */
export class VaultDecryptionError extends Error {
  constructor() {
    super('A stored credential could not be decrypted');
    this.name = 'VaultDecryptionError';
  }
}

/**
 * AES-256-GCM for the credentials vault (outline §2.9). Stored form: base64(iv ‖ tag ‖ ciphertext)
 * with a fresh random 12-byte IV per encryption. The row's id is bound in as additional
 * authenticated data, so a ciphertext copied into another row (another owner, another org) fails
 * authentication instead of decrypting under someone else's name.
 */
export class VaultCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('CREDENTIAL_ENCRYPTION_KEY must be 32 bytes');
    this.key = Buffer.from(key);
  }

  encrypt(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(stored: string, boundTo: string): string {
    const raw = Buffer.from(stored, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new VaultDecryptionError();
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      // The original error is dropped on purpose: see VaultDecryptionError.
      throw new VaultDecryptionError();
    }
  }
}
