import { HttpProblem, rateLimitedProblem, type CursorCodec } from '@symbia/http';
import { isUniqueViolation } from '../db/client.js';
import { deleteAgent, findAgentByAgentId, findAgentById, insertAgent, listOrgAgents, updateAgent, type AgentRow } from '../db/repos/principals.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import { canonicalCapability, isGrantableByAdmin } from './capability-catalog.js';
import type { IdentityDeps } from './deps.js';
import { generateAgentCredential } from './secrets.js';
import { isUuid } from './ids.js';
import { requireOrgRole } from './org-access.js';
import { revocationInstant } from './user-auth.service.js';
import { agentView } from './views.js';

export interface AgentRegistration {
  agentId: string;
  name: string;
  orgId: string;
  credential?: string;
  capabilities?: string[];
  metadata?: Record<string, unknown>;
}

export class AgentsService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * §2.2/§2.3 guard: only an org admin (or SA) manages agents, and an admin may hand an agent only
   * capabilities their own role implies. Non-members see the org as missing.
   */
  async assertOrgAdmin(caller: Caller, orgId: string): Promise<void> {
    await requireOrgRole(this.db, caller, orgId, 'admin');
  }

  private grantable(caller: Caller, capabilities: string[]): string[] {
    const canonical = [...new Set(capabilities.map(canonicalCapability))];
    const isSA = caller.principal?.type === 'user' && caller.principal.isSuperAdmin;
    const refused = isSA ? [] : canonical.filter((c) => !isGrantableByAdmin(c));
    if (refused.length > 0) {
      throw new HttpProblem('IDENTITY_CAPABILITY_NOT_GRANTABLE', { detail: `Not grantable: ${refused.join(', ')}`, extensions: { capabilities: refused } });
    }
    return canonical;
  }

  /** As for users: a token issued in the second of a revocation is lifted past it. */
  issueAgentToken(agent: AgentRow, notBefore: Date | undefined = agent.tokensValidAfter ?? undefined) {
    const { token, expiresAt } = this.deps.signer.sign({
      sub: agent.id,
      type: 'agent',
      ttlSeconds: this.deps.config.jwt.agentTtlSeconds,
      agentId: agent.agentId,
      name: agent.name,
      orgId: agent.orgId,
      scope: agent.capabilities.join(' '),
      notBefore: notBefore ? notBefore.getTime() / 1000 : undefined,
    });
    return { token, expiresAt: expiresAt.toISOString() };
  }

  async register(caller: Caller, input: AgentRegistration) {
    await this.assertOrgAdmin(caller, input.orgId);
    const capabilities = this.grantable(caller, input.capabilities ?? []);
    if (await findAgentByAgentId(this.db, input.agentId)) throw new HttpProblem('IDENTITY_AGENT_EXISTS', { detail: `Agent ${input.agentId} exists` });
    const generated = input.credential ? undefined : generateAgentCredential();
    const credentialHash = await this.deps.passwords.hash(input.credential ?? generated!);
    const agent = await this.deps.database.transaction(async (tx) => {
      let row: AgentRow;
      try {
        row = await insertAgent(tx, {
          agentId: input.agentId,
          name: input.name,
          orgId: input.orgId,
          credentialHash,
          capabilities,
          metadata: input.metadata ?? {},
          createdBy: caller.principal?.id,
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_AGENT_EXISTS', { detail: `Agent ${input.agentId} exists` });
        throw err;
      }
      await audit(tx, caller, { action: 'agent.registered', orgId: row.orgId, resource: 'agent', resourceId: row.id, metadata: { agentId: row.agentId, capabilities } });
      return row;
    });
    // §2.3: the registration answer lists exactly these agent fields (no `lastSeenAt` yet).
    const { lastSeenAt: _seen, ...registered } = agentView(agent);
    return { agent: registered, ...(generated ? { credential: generated } : {}), ...this.issueAgentToken(agent) };
  }

  async login(caller: Caller, input: { agentId: string; credential: string }) {
    const account = `agent:${input.agentId}`;
    const standing = await this.deps.loginFailures.peek(account);
    if (!standing.allowed) throw rateLimitedProblem(standing, 'Too many failed logins for this agent; retry later');
    const agent = await findAgentByAgentId(this.db, input.agentId);
    const ok = agent ? await this.deps.passwords.verify(input.credential, agent.credentialHash) : await this.deps.passwords.verifyDummy(input.credential);
    if (!agent || !ok || !agent.isActive) {
      await this.deps.loginFailures.hit(account);
      throw new HttpProblem('IDENTITY_CREDENTIALS_INVALID', { detail: 'Agent id or credential is incorrect' });
    }
    const seen = (await updateAgent(this.db, agent.id, { lastSeenAt: new Date() })) ?? agent;
    return { agent: agentView(seen), ...this.issueAgentToken(seen) };
  }

  /** An agent of an org the caller cannot see answers 404, like a missing one. */
  async getVisible(caller: Caller, id: string, needed: 'viewer' | 'admin'): Promise<AgentRow> {
    const agent = isUuid(id) ? await findAgentById(this.db, id) : undefined;
    if (!agent) throw new HttpProblem('IDENTITY_AGENT_NOT_FOUND');
    await requireOrgRole(this.db, caller, agent.orgId, needed, 'IDENTITY_AGENT_NOT_FOUND');
    return agent;
  }

  /** The calling agent itself (refresh, `/api/auth/agent/me`). */
  async getSelf(id: string): Promise<AgentRow> {
    const agent = await findAgentById(this.db, id);
    if (!agent || !agent.isActive) throw new HttpProblem('AUTH_INVALID');
    return agent;
  }

  async listForOrg(caller: Caller, orgId: string, query: { limit: number; cursor?: string }) {
    await requireOrgRole(this.db, caller, orgId, 'viewer');
    const queryKey = `agents:${orgId}`;
    const after = query.cursor ? this.cursors.decode(queryKey, query.cursor) : undefined;
    const page = this.cursors.page(queryKey, await listOrgAgents(this.db, orgId, query.limit + 1, after), query.limit);
    return { agents: page.items.map(agentView), nextCursor: page.nextCursor };
  }

  async update(caller: Caller, id: string, patch: { name?: string; capabilities?: string[]; isActive?: boolean; metadata?: Record<string, unknown> }) {
    const agent = await this.getVisible(caller, id, 'admin');
    const capabilities = patch.capabilities ? this.grantable(caller, patch.capabilities) : undefined;
    const deactivating = patch.isActive === false && agent.isActive;
    const updated = await this.deps.database.transaction(async (tx) => {
      const row = await updateAgent(tx, id, {
        name: patch.name,
        capabilities,
        isActive: patch.isActive,
        metadata: patch.metadata,
        ...(deactivating ? { tokensValidAfter: revocationInstant() } : {}),
      });
      await audit(tx, caller, { action: 'agent.updated', orgId: agent.orgId, resource: 'agent', resourceId: id, metadata: { fields: Object.keys(patch) } });
      return row!;
    });
    if (deactivating) this.deps.events.publish('identity.agent.deactivated', { agentId: agent.agentId });
    return agentView(updated);
  }

  async rotateCredential(caller: Caller, id: string, credential?: string) {
    const agent = await this.getVisible(caller, id, 'admin');
    const generated = credential ? undefined : generateAgentCredential();
    const credentialHash = await this.deps.passwords.hash(credential ?? generated!);
    await this.deps.database.transaction(async (tx) => {
      await updateAgent(tx, id, { credentialHash, tokensValidAfter: revocationInstant() });
      await audit(tx, caller, { action: 'agent.credential_rotated', orgId: agent.orgId, resource: 'agent', resourceId: id });
    });
    this.deps.events.publish('identity.agent.deactivated', { agentId: agent.agentId });
    return generated ? { credential: generated } : {};
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const agent = await this.getVisible(caller, id, 'admin');
    await this.deps.database.transaction(async (tx) => {
      await deleteAgent(tx, id);
      await audit(tx, caller, { action: 'agent.deleted', orgId: agent.orgId, resource: 'agent', resourceId: id, metadata: { agentId: agent.agentId } });
    });
    this.deps.events.publish('identity.agent.deactivated', { agentId: agent.agentId });
  }
}
