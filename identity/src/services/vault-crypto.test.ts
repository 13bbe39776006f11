import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VaultCipher, VaultDecryptionError } from './vault-crypto.js';

describe('VaultCipher', () => {
  const key = randomBytes(32);
  const cipher = new VaultCipher(key);
  const secret = 'sk-live-0123456789abcdef';

  it('round-trips and never stores the plaintext', () => {
    const stored = cipher.encrypt(secret, 'row-1');
    expect(stored).not.toContain(secret);
    expect(Buffer.from(stored, 'base64').toString('utf8')).not.toContain(secret);
    expect(cipher.decrypt(stored, 'row-1')).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt(secret, 'row-1')).not.toBe(cipher.encrypt(secret, 'row-1'));
  });

  it('refuses a tampered ciphertext, another row, another key and junk with one generic error', () => {
    const stored = cipher.encrypt(secret, 'row-1');
    const raw = Buffer.from(stored, 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    const attempts = [
      () => cipher.decrypt(raw.toString('base64'), 'row-1'),
      () => cipher.decrypt(stored, 'row-2'),
      () => new VaultCipher(randomBytes(32)).decrypt(stored, 'row-1'),
      () => cipher.decrypt('AAAA', 'row-1'),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(VaultDecryptionError);
      expect(String((caught as Error).message)).not.toContain(secret);
      expect((caught as Error).cause).toBeUndefined();
    }
  });

  it('requires a 32-byte key', () => {
    expect(() => new VaultCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
