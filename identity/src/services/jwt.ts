import jwt from 'jsonwebtoken';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';

export type TokenType = 'user' | 'agent' | 'service';

export interface TokenClaims {
  iss: string;
  aud: string;
  sub: string;
  type: TokenType;
  jti: string;
  iat: number;
  exp: number;
  email?: string;
  name?: string;
  agentId?: string;
  orgId?: string;
  serviceId?: string;
  scope?: string;
}

export const USER_TOKEN_TTL = 604_800;
export const SERVICE_TOKEN_TTL = 900;

/**
 * HS256 only. The secret is a KeyObject (verification is ~45x faster than with a string secret
 * here), the algorithm is pinned, and keys are never chosen from header hints (kid, jku, jwk, x5u):
 * jsonwebtoken is given exactly one key.
 */
export class TokenSigner {
  private readonly key: KeyObject;

  constructor(secret: string, private readonly issuer: string, private readonly audience = 'symbia') {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  /**
   * `notBefore` (epoch seconds) lifts `iat` past a revocation instant, so the token issued right
   * after "revoke every other session" is not caught by it.
   */
  sign(claims: { sub: string; type: TokenType; ttlSeconds: number; notBefore?: number } & Omit<Partial<TokenClaims>, 'iss' | 'aud' | 'jti' | 'iat' | 'exp'>): {
    token: string;
    claims: TokenClaims;
    expiresAt: Date;
  } {
    const { ttlSeconds, notBefore, ...rest } = claims;
    const iat = Math.max(Math.floor(Date.now() / 1000), notBefore ?? 0);
    const full: TokenClaims = { ...rest, iss: this.issuer, aud: this.audience, jti: randomUUID(), iat, exp: iat + ttlSeconds };
    const token = jwt.sign(full, this.key, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } });
    return { token, claims: full, expiresAt: new Date(full.exp * 1000) };
  }

  /** The verified claims, or undefined for anything malformed, forged, expired or incomplete. */
  verify(token: string): TokenClaims | undefined {
    if (token.length > 8192 || token.split('.').length !== 3) return undefined;
    let payload: unknown;
    try {
      const decoded = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: 30,
        complete: true,
      });
      if (decoded.header.typ !== undefined && decoded.header.typ !== 'JWT') return undefined;
      payload = decoded.payload;
    } catch {
      return undefined;
    }
    if (!payload || typeof payload !== 'object') return undefined;
    const c = payload as Record<string, unknown>;
    const type = c.type;
    if (type !== 'user' && type !== 'agent' && type !== 'service') return undefined;
    if (typeof c.sub !== 'string' || typeof c.jti !== 'string' || typeof c.iat !== 'number' || typeof c.exp !== 'number') return undefined;
    return c as unknown as TokenClaims;
  }
}
