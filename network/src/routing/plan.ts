import type {
  Boundary,
  ContractInfo,
  DropReason,
  EventInput,
  EventPayload,
  NodeInfo,
  PlanPathEntry,
  PolicyDecision,
  PolicyLogRecord,
  RoutingSnapshot,
} from './model.js';
import { matchesAnyEventTypePattern } from './patterns.js';
import { evaluatePolicies } from './policies.js';
import { boundaryBetween, pathEntry, visibleNode } from './topology.js';

/**
 * §3.2 steps 2–5 for one event: which targets, over which boundary, under which contract, and
 * what the policies make of each hop. Pure, so live routing and SoftSDN `simulate` share it;
 * delivery (step 6) and the trace record (step 7) consume the plan.
 */

export interface RouteHop {
  /** Where the event goes: the routed target when a `route` policy applied. */
  target: string;
  routedFrom?: string;
  boundary: Boundary;
  decision: 'deliver' | 'drop';
  reason?: DropReason;
  error?: string;
  /** The deciding policy (deny, failing transform, route, or allow); null when the default decided. */
  policyId?: string | null;
  contractId?: string;
  /** The payload to deliver, after transforms. */
  payload: EventPayload;
  /** Trace entries of this hop; a delivered hop's final entry is added by delivery. */
  path: PlanPathEntry[];
  logs: PolicyLogRecord[];
}

export interface RoutePlan {
  hops: RouteHop[];
  /** The source's `forward` entry, then every hop's entries. */
  path: PlanPathEntry[];
  /** Matching policies over all hops, each listed once. */
  policyDecisions: PolicyDecision[];
  /** `deliverable` when at least one hop may be delivered; delivery decides the final status. */
  status: 'deliverable' | 'dropped';
  reason: DropReason | null;
  error: string | null;
}

interface Candidate {
  id: string;
  node: NodeInfo | undefined;
}

const contractIndexes = new WeakMap<readonly ContractInfo[], Map<string, ContractInfo[]>>();

function contractsFrom(snapshot: RoutingSnapshot, source: string): readonly ContractInfo[] {
  let index = contractIndexes.get(snapshot.contracts);
  if (!index) {
    index = new Map();
    for (const c of snapshot.contracts) index.set(c.from, [...(index.get(c.from) ?? []), c]);
    contractIndexes.set(snapshot.contracts, index);
  }
  return index.get(source) ?? [];
}

/**
 * Live, matching the type, and owned by the event's org or the platform: a contract another org
 * wrote (say from a platform service to `"*"`) must never open a path into this org's nodes.
 */
function liveContracts(event: EventInput, snapshot: RoutingSnapshot): ContractInfo[] {
  const now = snapshot.now.getTime();
  return contractsFrom(snapshot, event.source).filter(
    (c) =>
      (c.orgId === null || c.orgId === event.orgId) &&
      (c.expiresAt === null || c.expiresAt.getTime() > now) &&
      matchesAnyEventTypePattern(c.allowedEventTypes, event.type),
  );
}

/** Step 2. Named targets of another org resolve like unknown ids; enumerated ones are skipped. */
function resolveTargets(event: EventInput, snapshot: RoutingSnapshot): Candidate[] | 'target_entity_unbound' {
  if (event.targetEntityId !== undefined) {
    const nodeId = snapshot.entityBindings.get(event.targetEntityId);
    const node = nodeId === undefined ? undefined : visibleNode(snapshot, nodeId, event.orgId);
    return node ? [{ id: node.id, node }] : 'target_entity_unbound';
  }
  if (event.target !== undefined) return [{ id: event.target, node: visibleNode(snapshot, event.target, event.orgId) }];
  const found = new Map<string, Candidate>();
  for (const contract of liveContracts(event, snapshot)) {
    if (contract.to === '*') {
      for (const node of snapshot.nodes.values()) {
        const inScope = node.orgId === null || node.orgId === event.orgId;
        if (inScope && node.id !== event.source && !found.has(node.id)) found.set(node.id, { id: node.id, node });
      }
      continue;
    }
    const registered = snapshot.nodes.get(contract.to);
    if (registered && registered.orgId !== null && registered.orgId !== event.orgId) continue;
    if (!found.has(contract.to)) found.set(contract.to, { id: contract.to, node: registered });
  }
  return [...found.values()];
}

/** Step 4; a contract naming the target is preferred to a `"*"` one so the trace shows the narrower grant. */
function findContract(event: EventInput, snapshot: RoutingSnapshot, target: string, boundary: Boundary): ContractInfo | undefined {
  const usable = liveContracts(event, snapshot).filter((c) => c.boundaries.includes(boundary));
  return usable.find((c) => c.to === target) ?? usable.find((c) => c.to === '*');
}

function droppedHop(
  candidate: Candidate,
  boundary: Boundary,
  payload: EventPayload,
  reason: DropReason,
  error: string,
): RouteHop {
  const path = [pathEntry(candidate.node, candidate.id, 'drop', { reason })];
  return { target: candidate.id, boundary, decision: 'drop', reason, error, payload, path, logs: [] };
}

interface PlannedHop {
  hop: RouteHop;
  decisions: PolicyDecision[];
}

function planHop(event: EventInput, snapshot: RoutingSnapshot, source: NodeInfo | undefined, candidate: Candidate): PlannedHop {
  const boundary = boundaryBetween(source, candidate.node);
  const payload = { type: event.type, data: event.data };
  if (event.boundary !== undefined && event.boundary !== boundary) {
    const error = `Declared boundary "${event.boundary}" differs from the hop's "${boundary}"`;
    return { hop: droppedHop(candidate, boundary, payload, 'boundary_mismatch', error), decisions: [] };
  }
  const contract = findContract(event, snapshot, candidate.id, boundary);
  if (!contract) {
    const error = `No contract allows "${event.type}" from "${event.source}" to "${candidate.id}" over ${boundary}`;
    return { hop: droppedHop(candidate, boundary, payload, 'no_contract', error), decisions: [] };
  }
  const outcome = evaluatePolicies({ event, source, target: candidate.id, targetNode: candidate.node, boundary }, snapshot);
  const hop: RouteHop = {
    target: outcome.target,
    ...(outcome.routedFrom !== undefined ? { routedFrom: outcome.routedFrom } : {}),
    boundary: outcome.boundary,
    decision: outcome.decision,
    policyId: outcome.policyId,
    contractId: contract.id,
    payload: outcome.payload,
    path: outcome.path,
    logs: outcome.logs,
  };
  const { decisions } = outcome;
  const drop = (reason: DropReason, error: string, policyId: string | null): PlannedHop => {
    hop.path.push(pathEntry(outcome.targetNode, outcome.target, 'drop', { reason, policyId }));
    return { hop: { ...hop, decision: 'drop', reason, error, policyId }, decisions };
  };
  if (outcome.decision === 'drop') return drop(outcome.reason!, outcome.error!, outcome.policyId);
  // A route target is always registered, so only an unrouted target can be unknown here.
  if (!outcome.targetNode) return drop('target_not_found', `Target node "${outcome.target}" is not registered`, null);
  return { hop, decisions };
}

function mergeDecisions(planned: PlannedHop[]): PolicyDecision[] {
  const seen = new Map<string, PolicyDecision>();
  for (const { decisions } of planned) for (const d of decisions) if (!seen.has(d.policyId)) seen.set(d.policyId, d);
  return [...seen.values()];
}

/** Plans every hop of `event`; see §3.2 for the rules, which this follows step by step. */
export function planRoute(event: EventInput, snapshot: RoutingSnapshot): RoutePlan {
  const source = visibleNode(snapshot, event.source, event.orgId);
  const forward = pathEntry(source, event.source, 'forward');
  const targets = resolveTargets(event, snapshot);
  if (targets === 'target_entity_unbound' || targets.length === 0) {
    const reason = targets === 'target_entity_unbound' ? targets : 'no_targets';
    const error = reason === 'no_targets' ? 'No valid targets for event' : `No node is bound to entity "${event.targetEntityId}"`;
    const path = [forward, pathEntry(source, event.source, 'drop', { reason })];
    return { hops: [], path, policyDecisions: [], status: 'dropped', reason, error };
  }
  const planned = targets.map((candidate) => planHop(event, snapshot, source, candidate));
  const hops = planned.map((p) => p.hop);
  const firstDrop = hops.find((h) => h.decision === 'drop');
  const deliverable = hops.some((h) => h.decision === 'deliver');
  return {
    hops,
    path: [forward, ...hops.flatMap((h) => h.path)],
    policyDecisions: mergeDecisions(planned),
    status: deliverable ? 'deliverable' : 'dropped',
    reason: deliverable ? null : (firstDrop?.reason ?? null),
    error: deliverable ? null : (firstDrop?.error ?? null),
  };
}
