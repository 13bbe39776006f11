import { describe, expect, it } from 'vitest';
import { type ConditionFacts, isConditionField, matchesAllConditions, matchesCondition, PolicyCondition } from './conditions.js';

const facts: ConditionFacts = {
  source: 'messaging',
  target: 'assistants',
  eventType: 'message.new',
  boundary: 'intra',
  runId: 'run-1',
  orgId: null,
  sourceType: 'service',
  targetType: null,
  data: { user: { name: 'Ada', tags: ['vip', 'beta', 7], age: 36, admin: false, meta: { a: 1 }, none: null } },
};

const cond = (field: string, operator: string, value: string | string[]) => PolicyCondition.parse({ field, operator, value });
const holds = (field: string, operator: string, value: string | string[]) => matchesCondition(cond(field, operator, value), facts);

describe('PolicyCondition schema', () => {
  it.each([
    ['source', 'eq', 'x'],
    ['data.a.b.c.d.e.f.g.h', 'glob', 'a*'],
    ['targetType', 'in', []],
    ['orgId', 'in', Array.from({ length: 100 }, (_, i) => `o${i}`)],
  ])('accepts %s %s', (field, operator, value) => {
    expect(PolicyCondition.safeParse({ field, operator, value }).success).toBe(true);
  });

  it.each([
    ['regex operator', { field: 'source', operator: 'regex', value: '.*' }],
    ['unknown field', { field: 'payload', operator: 'eq', value: 'x' }],
    ['bare data', { field: 'data', operator: 'eq', value: 'x' }],
    ['nine data segments', { field: 'data.a.b.c.d.e.f.g.h.i', operator: 'eq', value: 'x' }],
    ['empty segment', { field: 'data.a..b', operator: 'eq', value: 'x' }],
    ['prototype segment', { field: 'data.__proto__.x', operator: 'eq', value: 'x' }],
    ['value too long', { field: 'source', operator: 'eq', value: 'x'.repeat(257) }],
    ['glob too long', { field: 'source', operator: 'glob', value: '*'.repeat(257) }],
    ['array for eq', { field: 'source', operator: 'eq', value: ['x'] }],
    ['string for in', { field: 'source', operator: 'in', value: 'x' }],
    ['too many in values', { field: 'source', operator: 'in', value: Array.from({ length: 101 }, () => 'x') }],
    ['number value', { field: 'source', operator: 'eq', value: 1 }],
    ['extra key', { field: 'source', operator: 'eq', value: 'x', flags: 'i' }],
  ])('refuses %s', (_, input) => {
    expect(PolicyCondition.safeParse(input).success).toBe(false);
  });

  it('names fields', () => {
    expect(isConditionField('boundary')).toBe(true);
    expect(isConditionField('data.x')).toBe(true);
    expect(isConditionField('Data.x')).toBe(false);
  });
});

describe('matchesCondition', () => {
  it('eq and neq are case-sensitive opposites', () => {
    expect(holds('source', 'eq', 'messaging')).toBe(true);
    expect(holds('source', 'eq', 'Messaging')).toBe(false);
    expect(holds('source', 'neq', 'Messaging')).toBe(true);
    expect(holds('source', 'neq', 'messaging')).toBe(false);
  });

  it('contains is a substring test on strings and membership on arrays', () => {
    expect(holds('eventType', 'contains', 'sage.n')).toBe(true);
    expect(holds('eventType', 'contains', 'SAGE')).toBe(false);
    expect(holds('data.user.tags', 'contains', 'vip')).toBe(true);
    expect(holds('data.user.tags', 'contains', 'vi')).toBe(false);
    expect(holds('data.user.tags', 'contains', '7')).toBe(true);
  });

  it('startsWith, in and glob', () => {
    expect(holds('runId', 'startsWith', 'run-')).toBe(true);
    expect(holds('runId', 'startsWith', 'Run-')).toBe(false);
    expect(holds('boundary', 'in', ['inter', 'intra'])).toBe(true);
    expect(holds('boundary', 'in', ['inter'])).toBe(false);
    expect(holds('boundary', 'in', [])).toBe(false);
    expect(holds('eventType', 'glob', 'message.*')).toBe(true);
    expect(holds('eventType', 'glob', 'messag?.ne?')).toBe(true);
    expect(holds('eventType', 'glob', 'Message.*')).toBe(false);
  });

  it('compares numbers and booleans in data by their JSON text', () => {
    expect(holds('data.user.age', 'eq', '36')).toBe(true);
    expect(holds('data.user.admin', 'eq', 'false')).toBe(true);
    expect(holds('data.user.age', 'in', ['35', '36'])).toBe(true);
  });

  it('arrays only answer contains; to other operators they are missing', () => {
    for (const op of ['eq', 'startsWith', 'glob']) expect(holds('data.user.tags', op, 'vip')).toBe(false);
    expect(holds('data.user.tags', 'in', ['vip'])).toBe(false);
    expect(holds('data.user.tags', 'neq', 'vip')).toBe(true);
  });

  it('a missing field matches only neq', () => {
    for (const field of ['orgId', 'targetType', 'data.nope', 'data.user.name.deeper', 'data.user.meta', 'data.user.none']) {
      for (const op of ['eq', 'contains', 'startsWith', 'glob']) expect(holds(field, op, '')).toBe(false);
      expect(holds(field, 'in', [''])).toBe(false);
      expect(holds(field, 'neq', 'anything')).toBe(true);
    }
    expect(holds('orgId', 'glob', '*')).toBe(false);
  });

  it('never reads inherited properties', () => {
    expect(holds('data.user.toString', 'neq', 'x')).toBe(true);
    expect(holds('data.user.hasOwnProperty', 'glob', '*')).toBe(false);
  });

  it('reads data when data is not an object as missing', () => {
    expect(matchesCondition(cond('data.a', 'eq', 'x'), { ...facts, data: 'x' })).toBe(false);
    expect(matchesCondition(cond('data.0', 'eq', 'x'), { ...facts, data: ['x'] })).toBe(true);
  });

  it('requires every condition and matches on an empty list', () => {
    expect(matchesAllConditions([], facts)).toBe(true);
    expect(matchesAllConditions([cond('source', 'eq', 'messaging'), cond('boundary', 'eq', 'intra')], facts)).toBe(true);
    expect(matchesAllConditions([cond('source', 'eq', 'messaging'), cond('boundary', 'eq', 'inter')], facts)).toBe(false);
  });
});
