import type { PolicyCondition } from '../src/routing/conditions.js';
import type { ContractInfo, EventInput, NodeInfo, PolicyAction, PolicyInfo, RoutingSnapshot } from '../src/routing/model.js';

/** Small builders for routing tests: every field has a default, tests state only what matters. */

export const ORG_A = '00000000-0000-4000-8000-00000000000a';
export const ORG_B = '00000000-0000-4000-8000-00000000000b';
export const NOW = new Date('2026-01-01T12:00:00.000Z');

export function node(id: string, overrides: Partial<NodeInfo> = {}): NodeInfo {
  const orgId = overrides.orgId ?? null;
  return {
    id,
    name: `${id} node`,
    type: 'service',
    orgId,
    sandboxId: orgId ?? 'platform',
    endpoint: null,
    connected: true,
    ...overrides,
  };
}

let sequence = 0;

export function contract(from: string, to: string, overrides: Partial<ContractInfo> = {}): ContractInfo {
  sequence += 1;
  return {
    id: `contract-${sequence}`,
    from,
    to,
    allowedEventTypes: ['*'],
    boundaries: ['intra', 'inter', 'extra'],
    orgId: null,
    createdAt: NOW,
    expiresAt: null,
    ...overrides,
  };
}

export function policy(id: string, action: PolicyAction, overrides: Partial<PolicyInfo> = {}): PolicyInfo {
  return {
    id,
    name: `${id} policy`,
    priority: 0,
    enabled: true,
    mode: 'enforce',
    conditions: [],
    action,
    orgId: null,
    createdAt: NOW,
    ...overrides,
  };
}

export function when(field: string, operator: 'eq' | 'neq' | 'contains' | 'startsWith' | 'glob', value: string): PolicyCondition {
  return { field, operator, value };
}

export interface SnapshotParts {
  nodes?: NodeInfo[];
  contracts?: ContractInfo[];
  policies?: PolicyInfo[];
  entityBindings?: Record<string, string>;
  defaultDecision?: 'allow' | 'deny';
}

export function snapshot(parts: SnapshotParts = {}): RoutingSnapshot {
  return {
    nodes: new Map((parts.nodes ?? []).map((n) => [n.id, n])),
    contracts: parts.contracts ?? [],
    policies: parts.policies ?? [],
    entityBindings: new Map(Object.entries(parts.entityBindings ?? {})),
    defaultDecision: parts.defaultDecision ?? 'allow',
    now: NOW,
  };
}

export function event(overrides: Partial<EventInput> = {}): EventInput {
  return {
    id: 'evt-1',
    type: 'message.new',
    data: { text: 'hello' },
    runId: 'run-1',
    source: 'messaging',
    orgId: ORG_A,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    ...overrides,
  };
}
