import type { PolicyCondition } from './conditions.js';

/**
 * The routing engine's inputs (outline §3.1), as plain data. The engine never touches the
 * database or sockets: the caller loads a snapshot, and the same function serves live routing and
 * SoftSDN `simulate`.
 */

export type NodeType = 'service' | 'assistant' | 'sandbox' | 'bridge' | 'client';
export type Boundary = 'intra' | 'inter' | 'extra';
export type Decision = 'allow' | 'deny';

export interface NodeInfo {
  id: string;
  name: string;
  type: NodeType;
  /** null for platform nodes. */
  orgId: string | null;
  /** The org id for org nodes, `"platform"` for platform nodes, unless registered otherwise. */
  sandboxId: string;
  endpoint: string | null;
  connected: boolean;
  boundEntityIds?: string[];
}

export interface ContractInfo {
  id: string;
  from: string;
  /** A node id, which need not be registered yet, or `"*"`. */
  to: string;
  allowedEventTypes: string[];
  boundaries: Boundary[];
  orgId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TransformAction {
  type: 'transform';
  /** Keys are `data.` paths; values are any JSON. */
  set?: Record<string, unknown>;
  remove?: string[];
  /** `data.` path → `data.` path. */
  rename?: Record<string, string>;
  setType?: string;
}

export type PolicyAction =
  | { type: 'allow' }
  | { type: 'deny'; reason?: string }
  | { type: 'route'; to: string }
  | TransformAction
  | { type: 'log'; level: LogLevel };

export type PolicyActionType = PolicyAction['type'];

export interface PolicyInfo {
  id: string;
  name: string;
  /** −10000..10000; higher wins. */
  priority: number;
  enabled: boolean;
  mode: 'enforce' | 'shadow';
  conditions: PolicyCondition[];
  action: PolicyAction;
  /** null for platform policies, which apply to every event. */
  orgId: string | null;
  createdAt: Date;
}

/**
 * Everything routing may consult for one event. `policies` and `contracts` are indexed on first
 * use and the index is kept as long as the same array is passed again, so a snapshot should be
 * rebuilt (new arrays) whenever policies or contracts change, and reused otherwise.
 */
export interface RoutingSnapshot {
  nodes: ReadonlyMap<string, NodeInfo>;
  contracts: readonly ContractInfo[];
  policies: readonly PolicyInfo[];
  /** entity id → node id. */
  entityBindings: ReadonlyMap<string, string>;
  /** `NETWORK_POLICY_DEFAULT`: the decision when no policy allows or denies. */
  defaultDecision: Decision;
  now: Date;
}

export interface EventPayload {
  type: string;
  data: unknown;
}

/** An event after step 1 (validated, bound to its source, stamped). */
export interface EventInput {
  id: string;
  type: string;
  data: unknown;
  runId: string;
  source: string;
  target?: string;
  targetEntityId?: string;
  boundary?: Boundary;
  /** null for platform events. */
  orgId: string | null;
  traceId: string;
  causedBy?: string;
}

export type DropReason =
  | 'no_targets'
  | 'no_contract'
  | 'policy_denied'
  | 'boundary_mismatch'
  | 'target_not_found'
  | 'target_entity_unbound'
  | 'target_offline'
  | 'route_target_not_found'
  | 'delivery_failed'
  | 'bridge_unsupported'
  | 'transform_failed';

export type PathAction = 'forward' | 'deliver' | 'drop' | 'transform' | 'route' | 'log' | 'queue';

/** A trace path entry without its timing, which the recorder adds when the step really happens. */
export interface PlanPathEntry {
  node: string;
  nodeName: string | null;
  nodeType: NodeType | null;
  action: PathAction;
  policyId?: string | null;
  reason?: DropReason;
}

/** One entry of a trace's `policyDecisions`: only policies whose conditions matched are listed. */
export interface PolicyDecision {
  policyId: string;
  name: string;
  action: PolicyActionType;
  matched: true;
  shadow: boolean;
}

export interface PolicyLogRecord {
  eventId: string;
  policyId: string;
  policyName: string;
  level: LogLevel;
  /** The hop's target when the log policy matched. */
  target: string;
}
