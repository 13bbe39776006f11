import type { Boundary, NodeInfo, PathAction, PlanPathEntry, RoutingSnapshot } from './model.js';

/**
 * A node as an event of `orgId` may see it: its own org's nodes and platform nodes. A node of
 * another org is reported exactly like an unknown id, so routing never tells a tenant that another
 * tenant's node exists, nor its name or type.
 */
export function visibleNode(snapshot: RoutingSnapshot, id: string, orgId: string | null): NodeInfo | undefined {
  const node = snapshot.nodes.get(id);
  if (!node) return undefined;
  return node.orgId === null || node.orgId === orgId ? node : undefined;
}

/**
 * §3.2 step 3. A target that is not registered has no sandbox to share, so it is `inter`; its hop
 * still goes through the contract and policy checks and drops `target_not_found` at the end.
 */
export function boundaryBetween(source: NodeInfo | undefined, target: NodeInfo | undefined): Boundary {
  if (target?.type === 'bridge') return 'extra';
  if (source && target && source.sandboxId === target.sandboxId) return 'intra';
  return 'inter';
}

export function pathEntry(
  node: NodeInfo | undefined,
  id: string,
  action: PathAction,
  extra: Pick<PlanPathEntry, 'policyId' | 'reason'> = {},
): PlanPathEntry {
  return { node: id, nodeName: node?.name ?? null, nodeType: node?.type ?? null, action, ...extra };
}
