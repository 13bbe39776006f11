import { describe, expect, it } from 'vitest';
import type { TransformAction } from './model.js';
import { applyTransforms, MAX_DATA_BYTES } from './transforms.js';

const payload = () => ({ type: 'message.new', data: { user: { name: 'Ada', secret: 's' }, list: [1, 2] } });
const step = (action: Omit<TransformAction, 'type'>, policyId = 'p') => ({ policyId, action: { type: 'transform' as const, ...action } });

describe('applyTransforms', () => {
  it('returns the payload itself when nothing applies', () => {
    const p = payload();
    expect(applyTransforms(p, [])).toEqual({ ok: true, payload: p });
  });

  it('sets, removes, renames and retypes on a copy', () => {
    const original = payload();
    const result = applyTransforms(original, [
      step({ set: { 'data.user.role': { level: 1 }, 'data.flags.new': true }, remove: ['data.user.secret', 'data.nope.deep'] }),
      step({ rename: { 'data.user.name': 'data.who', 'data.absent': 'data.other' }, setType: 'message.redacted' }),
    ]);
    expect(result).toEqual({
      ok: true,
      payload: { type: 'message.redacted', data: { user: { role: { level: 1 } }, flags: { new: true }, list: [1, 2], who: 'Ada' } },
    });
    expect(original).toEqual(payload());
  });

  it('applies each transform to the previous result', () => {
    const result = applyTransforms(payload(), [step({ set: { 'data.a': 1 } }), step({ rename: { 'data.a': 'data.b' } })]);
    expect(result.ok && result.payload.data).toMatchObject({ b: 1 });
  });

  it.each([
    ['an invalid type', { setType: 'not a type' }],
    ['a path outside data', { set: { 'payload.x': 1 } }],
    ['a prototype path', { set: { 'data.__proto__.polluted': 1 } }],
    ['a path through a list', { set: { 'data.list.0': 1 } }],
    ['a path through a scalar', { set: { 'data.user.name.first': 'A' } }],
    ['a bad rename target', { rename: { 'data.user': 'user' } }],
  ])('fails on %s, naming the policy', (_, action) => {
    const result = applyTransforms(payload(), [step({}, 'first'), step(action as Omit<TransformAction, 'type'>, 'second')]);
    expect(result).toMatchObject({ ok: false, policyId: 'second' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fails when data is not an object and the transform touches data', () => {
    expect(applyTransforms({ type: 'a', data: 'text' }, [step({ set: { 'data.a': 1 } })]).ok).toBe(false);
    expect(applyTransforms({ type: 'a', data: 'text' }, [step({ setType: 'b' })])).toEqual({ ok: true, payload: { type: 'b', data: 'text' } });
  });

  it('fails when the result exceeds 256 KiB', () => {
    const big = 'x'.repeat(MAX_DATA_BYTES);
    const result = applyTransforms(payload(), [step({ set: { 'data.big': big } }, 'grow')]);
    expect(result).toMatchObject({ ok: false, policyId: 'grow' });
    const fits = applyTransforms({ type: 'a', data: {} }, [step({ set: { 'data.b': 'x'.repeat(MAX_DATA_BYTES - 10) } })]);
    expect(fits.ok).toBe(true);
  });
});
