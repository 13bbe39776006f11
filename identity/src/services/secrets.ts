import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PATTERN = /^sk_[0-9a-f]{64}$/;
export const SERVICE_SECRET_PATTERN = /^svc_[0-9a-f]{64}$/;

export interface HashedSecret {
  salt: string;
  hash: string;
}

/**
 * API keys and service secrets are 256-bit random values, so a fast keyed hash is enough: a salted,
 * peppered HMAC-SHA256. Verification compares equal-length digests in constant time.
 */
export class SecretHasher {
  constructor(private readonly pepper: string) {}

  hash(secret: string, salt = randomBytes(16).toString('hex')): HashedSecret {
    const hash = createHmac('sha256', this.pepper).update(salt).update(secret).digest('hex');
    return { salt, hash };
  }

  verify(secret: string, stored: HashedSecret): boolean {
    const candidate = Buffer.from(this.hash(secret, stored.salt).hash, 'hex');
    const expected = Buffer.from(stored.hash, 'hex');
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  }
}

/** `sk_` + 8 hex public id + 56 hex secret; `keyPrefix` is the first 11 characters. */
export function generateApiKey(): { key: string; keyPrefix: string } {
  const key = `sk_${randomBytes(32).toString('hex')}`;
  return { key, keyPrefix: key.slice(0, 11) };
}

export function generateServiceSecret(): string {
  return `svc_${randomBytes(32).toString('hex')}`;
}

export function generateAgentCredential(): string {
  return `agc_${randomBytes(32).toString('hex')}`;
}

export function generateResetToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: sha256Hex(token) };
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
