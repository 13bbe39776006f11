import { describe, expect, it } from 'vitest';
import { event, node, NOW, ORG_A, ORG_B, policy, snapshot, type SnapshotParts, when } from '../../test/builders.js';
import type { EventInput } from './model.js';
import { applicablePolicies, evaluatePolicies } from './policies.js';

const source = node('messaging');
const assistant = node('asst', { type: 'assistant', orgId: ORG_A });
const nodes = [source, assistant, node('other', { type: 'client', orgId: ORG_A }), node('logging'), node('foreign', { orgId: ORG_B })];
const older = new Date(NOW.getTime() - 60_000);

function run(parts: SnapshotParts, e: EventInput = event()) {
  const snap = snapshot({ nodes, ...parts });
  return evaluatePolicies({ event: e, source, target: 'asst', targetNode: assistant, boundary: 'inter' }, snap);
}

describe('applicablePolicies', () => {
  it('keeps enabled platform and own-org policies in precedence order', () => {
    const policies = [
      policy('low', { type: 'allow' }, { priority: -5 }),
      policy('org-b', { type: 'allow' }, { orgId: ORG_B, priority: 50 }),
      policy('off', { type: 'allow' }, { enabled: false, priority: 99 }),
      policy('org-a', { type: 'allow' }, { orgId: ORG_A, priority: 10 }),
      policy('tie-new', { type: 'allow' }, { priority: 10 }),
      policy('tie-old', { type: 'allow' }, { priority: 10, createdAt: older }),
    ];
    expect(applicablePolicies(policies, ORG_A).map((p) => p.policy.id)).toEqual(['tie-old', 'org-a', 'tie-new', 'low']);
    expect(applicablePolicies(policies, null).map((p) => p.policy.id)).toEqual(['tie-old', 'tie-new', 'low']);
    expect(applicablePolicies(policies, ORG_A)).toBe(applicablePolicies(policies, ORG_A));
  });

  it('narrows to the policies whose eventType condition can match, keeping the order', () => {
    const policies = [
      policy('any', { type: 'allow' }, { priority: 1 }),
      policy('only-a', { type: 'deny' }, { priority: 5, conditions: [when('eventType', 'eq', 'a.created')] }),
      policy('a-or-b', { type: 'log', level: 'info' }, { priority: 3, conditions: [{ field: 'eventType', operator: 'in', value: ['a.created', 'b.created'] }] }),
      policy('glob', { type: 'allow' }, { priority: 2, conditions: [when('eventType', 'glob', 'b.*')] }),
    ];
    expect(applicablePolicies(policies, ORG_A, 'a.created').map((p) => p.policy.id)).toEqual(['only-a', 'a-or-b', 'glob', 'any']);
    expect(applicablePolicies(policies, ORG_A, 'b.created').map((p) => p.policy.id)).toEqual(['a-or-b', 'glob', 'any']);
    expect(applicablePolicies(policies, ORG_A, 'c.created').map((p) => p.policy.id)).toEqual(['glob', 'any']);
  });
});

describe('evaluatePolicies', () => {
  it('deny overrides allow whatever the priorities, recording the highest-priority deny', () => {
    const out = run({
      policies: [
        policy('allow-high', { type: 'allow' }, { priority: 10_000 }),
        policy('deny-low', { type: 'deny' }, { priority: -100 }),
        policy('deny-mid', { type: 'deny', reason: 'no assistants' }, { priority: 5 }),
      ],
    });
    expect(out).toMatchObject({ decision: 'drop', reason: 'policy_denied', policyId: 'deny-mid', error: 'no assistants' });
  });

  it('breaks priority ties in favour of the oldest policy', () => {
    const out = run({ policies: [policy('deny-new', { type: 'deny' }), policy('deny-old', { type: 'deny' }, { createdAt: older })] });
    expect(out).toMatchObject({ reason: 'policy_denied', policyId: 'deny-old', error: 'Denied by policy "deny-old policy"' });
  });

  it('records shadow policies without enforcing them', () => {
    const out = run({
      policies: [
        policy('shadow-deny', { type: 'deny' }, { mode: 'shadow', priority: 9 }),
        policy('shadow-log', { type: 'log', level: 'warn' }, { mode: 'shadow' }),
        policy('not-matching', { type: 'deny' }, { conditions: [when('eventType', 'eq', 'other')] }),
      ],
    });
    expect(out.decision).toBe('deliver');
    expect(out.logs).toEqual([]);
    expect(out.decisions).toEqual([
      { policyId: 'shadow-deny', name: 'shadow-deny policy', action: 'deny', matched: true, shadow: true },
      { policyId: 'shadow-log', name: 'shadow-log policy', action: 'log', matched: true, shadow: true },
    ]);
  });

  it('ignores disabled policies and those of other orgs', () => {
    const out = run({
      policies: [policy('off', { type: 'deny' }, { enabled: false }), policy('b', { type: 'deny' }, { orgId: ORG_B })],
    });
    expect(out).toMatchObject({ decision: 'deliver', decisions: [] });
    const orgDeny = run({ policies: [policy('a', { type: 'deny' }, { orgId: ORG_A })] });
    expect(orgDeny).toMatchObject({ decision: 'drop', policyId: 'a' });
  });

  it('matches conditions on source type, target type and boundary', () => {
    const conditions = [when('sourceType', 'eq', 'service'), when('targetType', 'eq', 'assistant'), when('boundary', 'eq', 'inter')];
    expect(run({ policies: [policy('d', { type: 'deny' }, { conditions })] }).decision).toBe('drop');
    const miss = [...conditions, when('target', 'eq', 'other')];
    expect(run({ policies: [policy('d', { type: 'deny' }, { conditions: miss })] }).decision).toBe('deliver');
  });

  it('chains transforms by descending priority, oldest first on ties', () => {
    const out = run({
      policies: [
        policy('rename', { type: 'transform', rename: { 'data.step': 'data.done' } }, { priority: 1 }),
        policy('set', { type: 'transform', set: { 'data.step': 'one' } }, { priority: 5 }),
        policy('type-new', { type: 'transform', setType: 'second' }, { priority: 1, createdAt: new Date(NOW.getTime() + 1) }),
        policy('type-old', { type: 'transform', setType: 'first' }, { priority: 1, createdAt: older }),
      ],
    });
    expect(out).toMatchObject({ decision: 'deliver', payload: { type: 'second', data: { text: 'hello', done: 'one' } } });
    expect(out.path.map((p) => [p.action, p.policyId])).toEqual([
      ['transform', 'set'],
      ['transform', 'type-old'],
      ['transform', 'rename'],
      ['transform', 'type-new'],
    ]);
  });

  it('drops transform_failed when a transform result is too large or invalid', () => {
    const big = run({ policies: [policy('grow', { type: 'transform', set: { 'data.big': 'x'.repeat(300_000) } })] });
    expect(big).toMatchObject({ decision: 'drop', reason: 'transform_failed', policyId: 'grow' });
    const badType = run({ policies: [policy('retype', { type: 'transform', setType: '!bad' })] });
    expect(badType).toMatchObject({ decision: 'drop', reason: 'transform_failed', policyId: 'retype' });
  });

  it('routes to the highest-priority route target and recomputes the boundary', () => {
    const out = run({
      policies: [
        policy('to-logging', { type: 'route', to: 'logging' }, { priority: 3 }),
        policy('to-other', { type: 'route', to: 'other' }, { priority: 1 }),
      ],
    });
    expect(out).toMatchObject({ decision: 'deliver', target: 'logging', routedFrom: 'asst', boundary: 'intra' });
    expect(out.path).toContainEqual({ node: 'asst', nodeName: 'asst node', nodeType: 'assistant', action: 'route', policyId: 'to-logging' });
  });

  it('never routes a routed hop again', () => {
    const out = run({
      policies: [
        policy('first', { type: 'route', to: 'other' }, { conditions: [when('target', 'eq', 'asst')] }),
        policy('second', { type: 'route', to: 'logging' }, { conditions: [when('target', 'eq', 'other')] }),
      ],
    });
    expect(out).toMatchObject({ target: 'other', routedFrom: 'asst' });
  });

  it('drops route_target_not_found for unknown or foreign route targets', () => {
    for (const to of ['missing', 'foreign']) {
      const out = run({ policies: [policy('r', { type: 'route', to })] });
      expect(out).toMatchObject({ decision: 'drop', reason: 'route_target_not_found', policyId: 'r', target: 'asst' });
    }
  });

  it('re-checks deny policies against the routed target', () => {
    const out = run({
      policies: [
        policy('r', { type: 'route', to: 'other' }),
        policy('no-clients', { type: 'deny' }, { conditions: [when('targetType', 'eq', 'client')] }),
        policy('shadow-no-other', { type: 'deny' }, { mode: 'shadow', conditions: [when('target', 'eq', 'other')] }),
      ],
    });
    expect(out).toMatchObject({ decision: 'drop', reason: 'policy_denied', policyId: 'no-clients', target: 'other', routedFrom: 'asst' });
    expect(out.decisions.map((d) => d.policyId)).toEqual(['r', 'no-clients', 'shadow-no-other']);
  });

  it('writes a log record for every matching log policy, even when the hop drops', () => {
    const parts = {
      policies: [
        policy('info', { type: 'log', level: 'info' }, { priority: 2 }),
        policy('warn', { type: 'log', level: 'warn' }, { priority: 1 }),
        policy('quiet', { type: 'log', level: 'error' }, { conditions: [when('runId', 'eq', 'other')] }),
      ],
    } satisfies SnapshotParts;
    const out = run(parts);
    expect(out.decision).toBe('deliver');
    expect(out.logs).toEqual([
      { eventId: 'evt-1', policyId: 'info', policyName: 'info policy', level: 'info', target: 'asst' },
      { eventId: 'evt-1', policyId: 'warn', policyName: 'warn policy', level: 'warn', target: 'asst' },
    ]);
    expect(out.path.filter((p) => p.action === 'log')).toHaveLength(2);
    const denied = run({ policies: [...parts.policies, policy('d', { type: 'deny' })] });
    expect(denied.decision).toBe('drop');
    expect(denied.logs).toHaveLength(2);
  });

  it('applies the default decision when nothing allows', () => {
    expect(run({ defaultDecision: 'allow' })).toMatchObject({ decision: 'deliver', policyId: null });
    expect(run({ defaultDecision: 'deny' })).toMatchObject({ decision: 'drop', reason: 'policy_denied', policyId: null });
    const allowed = run({ defaultDecision: 'deny', policies: [policy('a', { type: 'allow' })] });
    expect(allowed).toMatchObject({ decision: 'deliver', policyId: 'a' });
    const onlyLogged = run({ defaultDecision: 'deny', policies: [policy('l', { type: 'log', level: 'info' })] });
    expect(onlyLogged).toMatchObject({ decision: 'drop', reason: 'policy_denied', policyId: null });
  });

  it('platform events see only platform policies', () => {
    const out = run({ policies: [policy('a', { type: 'deny' }, { orgId: ORG_A })] }, event({ orgId: null }));
    expect(out.decision).toBe('deliver');
  });
});
