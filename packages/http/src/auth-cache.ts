import { createHash } from 'node:crypto';
import type { Principal } from './context.js';

interface Entry {
  principal: Principal | null;
  expiresAt: number;
  jti?: string;
  keyId?: string;
  subject?: string;
}

export const ACTIVE_TTL_MS = 30_000;
export const INACTIVE_TTL_MS = 5_000;

/**
 * Introspection answers, keyed by SHA-256 of the credential so raw tokens never sit in memory as
 * map keys. Active answers live 30 s and inactive 5 s (outline §1.5); an expired entry is never
 * returned, even while identity is unreachable. Revocation events evict at once.
 */
export class IntrospectionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000, private readonly now: () => number = Date.now) {}

  static keyOf(credential: string): string {
    return createHash('sha256').update(credential).digest('hex');
  }

  get(key: string): { principal: Principal | null } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { principal: entry.principal };
  }

  set(key: string, principal: Principal | null, meta: { jti?: string; keyId?: string } = {}): void {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: dropping the first key drops the oldest answer.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, {
      principal,
      expiresAt: this.now() + (principal ? ACTIVE_TTL_MS : INACTIVE_TTL_MS),
      jti: meta.jti,
      keyId: meta.keyId,
      subject: principal?.id,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private evictWhere(test: (e: Entry) => boolean): number {
    let n = 0;
    for (const [key, entry] of this.entries) {
      if (test(entry)) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  /**
   * Apply an identity mesh event (§2.11). Membership changes evict the user's entries because
   * roles and capabilities are resolved at introspection time, not carried in tokens.
   */
  handleEvent(type: string, payload: Record<string, unknown>): number {
    const str = (k: string) => (typeof payload[k] === 'string' ? (payload[k] as string) : undefined);
    switch (type) {
      case 'identity.token.revoked': {
        const jti = str('jti');
        return jti ? this.evictWhere((e) => e.jti === jti) : 0;
      }
      case 'identity.key.revoked': {
        const keyId = str('keyId');
        return keyId ? this.evictWhere((e) => e.keyId === keyId) : 0;
      }
      case 'identity.user.sessionsRevoked':
      case 'identity.membership.changed': {
        const userId = str('userId');
        return userId ? this.evictWhere((e) => e.subject === userId) : 0;
      }
      case 'identity.agent.deactivated': {
        const agentId = str('agentId');
        return agentId ? this.evictWhere((e) => e.subject === agentId || e.principal?.agentId === agentId) : 0;
      }
      case 'identity.org.deleted': {
        const orgId = str('orgId');
        return orgId ? this.evictWhere((e) => e.principal?.organizations.some((o) => o.id === orgId) ?? false) : 0;
      }
      default:
        return 0;
    }
  }
}
