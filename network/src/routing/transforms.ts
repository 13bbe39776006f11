import { FORBIDDEN_SEGMENTS } from './conditions.js';
import type { EventPayload, TransformAction } from './model.js';
import { isEventType } from './patterns.js';

/** Same ceiling as an event send body's data (§3.1), measured as UTF-8 JSON. */
export const MAX_DATA_BYTES = 256 * 1024;
const MAX_PATH_SEGMENTS = 8;

export type TransformResult = { ok: true; payload: EventPayload } | { ok: false; error: string; policyId: string };

type JsonObject = Record<string, unknown>;

class TransformError extends Error {}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `data.a.b` → `['a', 'b']`; anything outside `data`, or reaching prototype machinery, is refused. */
function dataPath(path: string): string[] {
  const segments = path.startsWith('data.') ? path.slice('data.'.length).split('.') : [];
  const valid =
    segments.length > 0 &&
    segments.length <= MAX_PATH_SEGMENTS &&
    segments.every((s) => s.length > 0 && !FORBIDDEN_SEGMENTS.has(s));
  if (!valid) throw new TransformError(`"${path}" is not a data path`);
  return segments;
}

/** The object holding the last segment, or undefined when the path does not exist. */
function findParent(data: JsonObject, segments: string[]): JsonObject | undefined {
  let current: JsonObject = data;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (!isObject(next)) return undefined;
    current = next;
  }
  return current;
}

/** Intermediate objects are created; walking through a list or a scalar is an error, not an overwrite. */
function setPath(data: JsonObject, segments: string[], value: unknown): void {
  let current: JsonObject = data;
  for (const segment of segments.slice(0, -1)) {
    if (!Object.hasOwn(current, segment)) current[segment] = {};
    const next = current[segment];
    if (!isObject(next)) throw new TransformError(`"data.${segments.join('.')}" goes through a non-object`);
    current = next;
  }
  current[segments[segments.length - 1]!] = structuredClone(value);
}

function removePath(data: JsonObject, segments: string[]): unknown {
  const parent = findParent(data, segments);
  const key = segments[segments.length - 1]!;
  if (!parent || !Object.hasOwn(parent, key)) return undefined;
  const value = parent[key];
  delete parent[key];
  return value;
}

/**
 * One transform, in the order its fields are listed in §3.1: set, remove, rename, setType.
 * Removing or renaming a path that does not exist is a no-op, so a transform can be written for
 * events that only sometimes carry a field.
 */
function applyOne(payload: EventPayload, action: TransformAction): void {
  const touchesData = action.set || action.remove || action.rename;
  if (touchesData && !isObject(payload.data)) throw new TransformError('event data is not an object');
  const data = payload.data as JsonObject;
  for (const [path, value] of Object.entries(action.set ?? {})) setPath(data, dataPath(path), value);
  for (const path of action.remove ?? []) removePath(data, dataPath(path));
  for (const [from, to] of Object.entries(action.rename ?? {})) {
    const source = dataPath(from);
    const target = dataPath(to);
    const parent = findParent(data, source);
    if (!parent || !Object.hasOwn(parent, source[source.length - 1]!)) continue;
    setPath(data, target, removePath(data, source));
  }
  if (action.setType !== undefined) {
    if (!isEventType(action.setType)) throw new TransformError(`"${action.setType}" is not a valid event type`);
    payload.type = action.setType;
  }
}

function checkSize(payload: EventPayload): void {
  const json = JSON.stringify(payload.data);
  if (json === undefined) throw new TransformError('event data is not JSON');
  if (Buffer.byteLength(json, 'utf8') > MAX_DATA_BYTES) throw new TransformError(`event data exceeds ${MAX_DATA_BYTES} bytes`);
}

export interface TransformStep {
  policyId: string;
  action: TransformAction;
}

/**
 * Applies transforms in the order given, each to the previous result, on a copy: the original
 * payload is shared by every hop of the event and must stay untouched. The size is checked after
 * each step so the failure names the policy that caused it.
 */
export function applyTransforms(payload: EventPayload, steps: readonly TransformStep[]): TransformResult {
  if (steps.length === 0) return { ok: true, payload };
  const result: EventPayload = { type: payload.type, data: structuredClone(payload.data) };
  for (const step of steps) {
    try {
      applyOne(result, step.action);
      checkSize(result);
    } catch (err) {
      if (!(err instanceof TransformError)) throw err;
      return { ok: false, error: err.message, policyId: step.policyId };
    }
  }
  return { ok: true, payload: result };
}
