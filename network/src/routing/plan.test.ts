import { describe, expect, it } from 'vitest';
import { contract, event, node, NOW, ORG_A, ORG_B, policy, snapshot, type SnapshotParts } from '../../test/builders.js';
import type { EventInput } from './model.js';
import { planRoute } from './plan.js';

const nodes = [
  node('messaging'),
  node('logging'),
  node('asst-a', { type: 'assistant', orgId: ORG_A }),
  node('client-a', { type: 'client', orgId: ORG_A }),
  node('box-a', { type: 'sandbox', orgId: ORG_A, sandboxId: 'box' }),
  node('bridge-a', { type: 'bridge', orgId: ORG_A }),
  node('asst-b', { type: 'assistant', orgId: ORG_B }),
];

function plan(parts: SnapshotParts, e: Partial<EventInput> = {}) {
  return planRoute(event(e), snapshot({ nodes, ...parts }));
}

const open = (from: string, to: string, extra = {}) => contract(from, to, { orgId: ORG_A, ...extra });
const summary = (p: ReturnType<typeof planRoute>) => p.hops.map((h) => [h.target, h.decision, h.reason ?? null]);

describe('planRoute: targets (step 2)', () => {
  it('sends to the node bound to targetEntityId', () => {
    const p = plan({ contracts: [open('messaging', 'asst-a')], entityBindings: { ent_1: 'asst-a' } }, { targetEntityId: 'ent_1', target: 'client-a' });
    expect(summary(p)).toEqual([['asst-a', 'deliver', null]]);
    expect(p.status).toBe('deliverable');
  });

  it('drops target_entity_unbound when the entity has no node, or one of another org', () => {
    const bindings: Record<string, string>[] = [{}, { ent_1: 'asst-b' }, { ent_1: 'gone' }];
    for (const entityBindings of bindings) {
      const p = plan({ contracts: [open('messaging', '*')], entityBindings }, { targetEntityId: 'ent_1' });
      expect(p).toMatchObject({ hops: [], status: 'dropped', reason: 'target_entity_unbound' });
      expect(p.path.map((e) => e.action)).toEqual(['forward', 'drop']);
    }
  });

  it('uses an explicit target, which still needs a contract', () => {
    expect(summary(plan({}, { target: 'asst-a' }))).toEqual([['asst-a', 'drop', 'no_contract']]);
    expect(summary(plan({ contracts: [open('messaging', 'asst-a')] }, { target: 'asst-a' }))).toEqual([['asst-a', 'deliver', null]]);
    expect(summary(plan({ contracts: [open('messaging', '*')] }, { target: 'asst-a' }))).toEqual([['asst-a', 'deliver', null]]);
  });

  it('marks a contracted but unregistered target target_not_found', () => {
    const p = plan({ contracts: [open('messaging', 'later')] }, { target: 'later' });
    expect(summary(p)).toEqual([['later', 'drop', 'target_not_found']]);
    expect(p.hops[0]?.boundary).toBe('inter');
    expect(summary(plan({}, { target: 'later' }))).toEqual([['later', 'drop', 'no_contract']]);
  });

  it('follows live contracts from the source whose patterns match the type', () => {
    const contracts = [
      open('messaging', 'asst-a', { allowedEventTypes: ['message.*'] }),
      open('messaging', 'client-a', { allowedEventTypes: ['message.new'] }),
      open('messaging', 'asst-a', { allowedEventTypes: ['*'] }),
      open('messaging', 'box-a', { allowedEventTypes: ['user.*'] }),
      open('messaging', 'logging', { expiresAt: new Date(NOW.getTime() - 1) }),
      open('logging', 'bridge-a'),
    ];
    expect(summary(plan({ contracts }))).toEqual([
      ['asst-a', 'deliver', null],
      ['client-a', 'deliver', null],
    ]);
  });

  it('drops no_targets when no contract leads anywhere', () => {
    const contracts = [open('messaging', 'asst-a', { allowedEventTypes: ['user.*'] })];
    expect(plan({ contracts })).toMatchObject({ hops: [], status: 'dropped', reason: 'no_targets', error: 'No valid targets for event' });
  });
});

describe('planRoute: cross-org isolation', () => {
  it('expands "*" to the event org and the platform, minus the source', () => {
    const p = plan({ contracts: [open('client-a', '*')] }, { source: 'client-a' });
    expect(p.hops.map((h) => h.target).sort()).toEqual(['asst-a', 'box-a', 'bridge-a', 'logging', 'messaging']);
  });

  it('expands "*" of a platform event to platform nodes only', () => {
    const p = plan({ contracts: [contract('messaging', '*')] }, { orgId: null });
    expect(p.hops.map((h) => h.target)).toEqual(['logging']);
  });

  it('skips contract targets of another org', () => {
    const p = plan({ contracts: [contract('messaging', 'asst-b')] });
    expect(p).toMatchObject({ hops: [], reason: 'no_targets' });
  });

  it('ignores contracts written by another org', () => {
    const p = plan({ contracts: [contract('messaging', '*', { orgId: ORG_B })] });
    expect(p).toMatchObject({ hops: [], reason: 'no_targets' });
    expect(summary(plan({ contracts: [contract('messaging', 'asst-a', { orgId: ORG_B })] }, { target: 'asst-a' }))).toEqual([
      ['asst-a', 'drop', 'no_contract'],
    ]);
  });

  it('never chooses an explicit target of another org, and reveals nothing about it', () => {
    const p = plan({ contracts: [contract('messaging', 'asst-b')] }, { target: 'asst-b' });
    expect(summary(p)).toEqual([['asst-b', 'drop', 'target_not_found']]);
    expect(p.path.at(-1)).toEqual({ node: 'asst-b', nodeName: null, nodeType: null, action: 'drop', reason: 'target_not_found', policyId: null });
    const unknown = plan({ contracts: [contract('messaging', 'nobody')] }, { target: 'nobody' });
    expect(unknown.hops[0]?.error).toBe('Target node "nobody" is not registered');
  });
});

describe('planRoute: boundaries and contracts (steps 3–4)', () => {
  it('derives the boundary of each hop', () => {
    const p = plan({ contracts: [open('client-a', '*')] }, { source: 'client-a' });
    const boundaries = Object.fromEntries(p.hops.map((h) => [h.target, h.boundary]));
    expect(boundaries).toEqual({ messaging: 'inter', logging: 'inter', 'asst-a': 'intra', 'box-a': 'inter', 'bridge-a': 'extra' });
  });

  it('drops boundary_mismatch on the hops whose boundary differs from the declared one', () => {
    const p = plan({ contracts: [open('client-a', 'asst-a'), open('client-a', 'logging')] }, { source: 'client-a', boundary: 'intra' });
    expect(summary(p)).toEqual([
      ['asst-a', 'deliver', null],
      ['logging', 'drop', 'boundary_mismatch'],
    ]);
    expect(p.status).toBe('deliverable');
  });

  it('needs a contract covering the hop boundary and not expired', () => {
    const narrow = open('messaging', 'asst-a', { boundaries: ['intra'] });
    expect(summary(plan({ contracts: [narrow] }, { target: 'asst-a' }))).toEqual([['asst-a', 'drop', 'no_contract']]);
    const future = open('messaging', 'asst-a', { expiresAt: new Date(NOW.getTime() + 1) });
    expect(summary(plan({ contracts: [future] }, { target: 'asst-a' }))).toEqual([['asst-a', 'deliver', null]]);
    const expired = open('messaging', 'asst-a', { expiresAt: NOW });
    expect(summary(plan({ contracts: [expired] }, { target: 'asst-a' }))).toEqual([['asst-a', 'drop', 'no_contract']]);
  });

  it('records the contract naming the target in preference to "*"', () => {
    const star = open('messaging', '*');
    const exact = open('messaging', 'asst-a');
    expect(plan({ contracts: [star, exact] }, { target: 'asst-a' }).hops[0]?.contractId).toBe(exact.id);
  });
});

describe('planRoute: policies and the plan (step 5)', () => {
  it('delivers to a routed target without a contract for it', () => {
    const p = plan({ contracts: [open('messaging', 'asst-a')], policies: [policy('r', { type: 'route', to: 'client-a' })] }, { target: 'asst-a' });
    expect(p.hops[0]).toMatchObject({ target: 'client-a', routedFrom: 'asst-a', decision: 'deliver', policyId: null });
  });

  it('carries transformed payloads per hop and lists each matching policy once', () => {
    const p = plan({
      contracts: [open('messaging', 'asst-a'), open('messaging', 'client-a')],
      policies: [
        policy('tag', { type: 'transform', set: { 'data.tagged': true } }),
        policy('log', { type: 'log', level: 'info' }),
        policy('never', { type: 'deny' }, { conditions: [{ field: 'runId', operator: 'eq', value: 'x' }] }),
      ],
    });
    expect(p.hops.map((h) => h.payload)).toEqual([
      { type: 'message.new', data: { text: 'hello', tagged: true } },
      { type: 'message.new', data: { text: 'hello', tagged: true } },
    ]);
    expect(p.hops[0]?.payload).not.toBe(p.hops[1]?.payload);
    // Equal priority and age: the id breaks the tie.
    expect(p.policyDecisions.map((d) => d.policyId)).toEqual(['log', 'tag']);
    expect(p.hops.flatMap((h) => h.logs).map((l) => l.target)).toEqual(['asst-a', 'client-a']);
  });

  it('reports the first drop when no hop survives', () => {
    const p = plan({
      contracts: [open('messaging', 'asst-a'), open('messaging', 'client-a')],
      policies: [policy('d', { type: 'deny', reason: 'quiet hours' })],
    });
    expect(p).toMatchObject({ status: 'dropped', reason: 'policy_denied', error: 'quiet hours' });
    expect(p.path.map((e) => [e.node, e.action])).toEqual([
      ['messaging', 'forward'],
      ['asst-a', 'drop'],
      ['client-a', 'drop'],
    ]);
    expect(p.hops[0]).toMatchObject({ policyId: 'd', contractId: expect.any(String) });
  });

  it('drops under a default deny decision with no policy id', () => {
    const p = plan({ contracts: [open('messaging', 'asst-a')], defaultDecision: 'deny' });
    expect(p.hops[0]).toMatchObject({ decision: 'drop', reason: 'policy_denied', policyId: null });
  });
});
