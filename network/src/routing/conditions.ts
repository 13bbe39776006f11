import { z } from 'zod';
import { compileGlob } from './glob.js';

/** Event facts a condition can name directly; `data.<path>` reaches into the payload data. */
export const CONDITION_FIELDS = ['source', 'target', 'eventType', 'boundary', 'runId', 'orgId', 'sourceType', 'targetType'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

const MAX_DATA_SEGMENTS = 8;
const MAX_VALUE = 256;
const MAX_IN_VALUES = 100;

/**
 * What one (event, target) looks like to a condition. `null` is a missing value: a platform
 * event has no `orgId`, an unregistered target has no `targetType`.
 */
export type ConditionFacts = { readonly [K in ConditionField]: string | null } & { readonly data: unknown };

/** Keys that reach prototype machinery; never addressed by a condition or a transform. */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * `data.` followed by 1–8 non-empty segments. Segments that name prototype machinery are refused
 * so a policy can never address anything but the payload's own keys.
 */
export function isConditionField(field: string): boolean {
  if ((CONDITION_FIELDS as readonly string[]).includes(field)) return true;
  if (!field.startsWith('data.')) return false;
  const segments = field.slice('data.'.length).split('.');
  return segments.length <= MAX_DATA_SEGMENTS && segments.every((s) => s.length > 0 && !FORBIDDEN_SEGMENTS.has(s));
}

const Field = z.string().max(MAX_VALUE).refine(isConditionField, 'unknown condition field');
const Value = z.string().max(MAX_VALUE);

export const PolicyCondition = z.discriminatedUnion('operator', [
  z.strictObject({ field: Field, operator: z.enum(['eq', 'neq', 'contains', 'startsWith', 'glob']), value: Value }),
  z.strictObject({ field: Field, operator: z.literal('in'), value: z.array(Value).max(MAX_IN_VALUES) }),
]);
export type PolicyCondition = z.infer<typeof PolicyCondition>;

/** A field's value as conditions see it: a string, a list of strings, or missing. */
type FieldValue = string | string[] | undefined;

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function readDataPath(data: unknown, segments: readonly string[]): unknown {
  let current = data;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Numbers and booleans in data compare by their JSON text (`42`, `true`) because condition values
 * are strings. Arrays keep their scalar elements, for `contains`. Objects and `null` count as
 * missing: no string operator has a sensible meaning on them.
 */
function fieldReader(field: string): (facts: ConditionFacts) => FieldValue {
  if (!field.startsWith('data.')) return (facts) => facts[field as ConditionField] ?? undefined;
  const segments = field.slice('data.'.length).split('.');
  return (facts) => {
    const raw = readDataPath(facts.data, segments);
    if (Array.isArray(raw)) return raw.map(scalar).filter((v): v is string => v !== undefined);
    return scalar(raw);
  };
}

function stringTest(condition: PolicyCondition): (actual: string) => boolean {
  switch (condition.operator) {
    case 'eq':
    case 'neq':
      return (actual) => actual === condition.value;
    case 'contains':
      return (actual) => actual.includes(condition.value);
    case 'startsWith':
      return (actual) => actual.startsWith(condition.value);
    case 'in': {
      const values = new Set(condition.value);
      return (actual) => values.has(actual);
    }
    case 'glob':
      return compileGlob(condition.value);
  }
}

export type ConditionMatcher = (facts: ConditionFacts) => boolean;

/**
 * A condition as a function, so a policy set is parsed (paths split, globs compiled) once per
 * snapshot rather than once per event. Comparisons are case-sensitive.
 *
 * A missing field matches only `neq`: `neq` is exactly the negation of `eq`, so a policy and its
 * `neq` twin always split events between them, and `orgId neq X` keeps covering platform events.
 * Arrays are only meaningful to `contains` (membership); to every other operator they behave like
 * a missing value, since no string equals, starts, or globs a list.
 */
export function compileCondition(condition: PolicyCondition): ConditionMatcher {
  const read = fieldReader(condition.field);
  const test = stringTest(condition);
  if (condition.operator === 'neq') {
    return (facts) => {
      const actual = read(facts);
      return typeof actual !== 'string' || !test(actual);
    };
  }
  const isContains = condition.operator === 'contains';
  return (facts) => {
    const actual = read(facts);
    if (actual === undefined) return false;
    if (Array.isArray(actual)) return isContains && actual.includes(condition.value as string);
    return test(actual);
  };
}

/** All conditions must hold; an empty list matches every event. */
export function compileConditions(conditions: readonly PolicyCondition[]): ConditionMatcher {
  const matchers = conditions.map(compileCondition);
  return (facts) => {
    for (const matches of matchers) if (!matches(facts)) return false;
    return true;
  };
}

export function matchesCondition(condition: PolicyCondition, facts: ConditionFacts): boolean {
  return compileCondition(condition)(facts);
}

export function matchesAllConditions(conditions: readonly PolicyCondition[], facts: ConditionFacts): boolean {
  return compileConditions(conditions)(facts);
}
