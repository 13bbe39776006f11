import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { validationProblem, type ValidationIssue } from './errors.js';
import type { AnyRouteSpec, HttpMethod } from './route.js';

/**
 * Request validation for registered routes (outline §1.1). Every location is checked before the
 * request is refused, so one 400 lists everything wrong with it.
 *
 * Strictness lives in the schemas: route authors write bodies with `z.strictObject`, and zod then
 * reports an unknown field as an `unrecognized_keys` issue, which becomes one `errors[]` entry per
 * unknown key here. Unknown query parameters are ignored: query schemas use plain `z.object`,
 * which drops them.
 */

export const MAX_BODY_DEPTH = 32;

/** Past this many entries the response would only grow, not inform; the first ones locate the fault. */
export const MAX_REPORTED_ISSUES = 100;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const BODY_METHODS: ReadonlySet<HttpMethod> = new Set(['post', 'put', 'patch', 'delete']);

type Location = ValidationIssue['location'];

interface Frame {
  value: object;
  depth: number;
  key: string | number | undefined;
  parent: Frame | undefined;
}

/** The path is rebuilt from parent links only when reporting, so the walk itself stays linear. */
function pathOf(frame: Frame | undefined, last?: string | number): string {
  const parts: Array<string | number> = last === undefined ? [] : [last];
  for (let f = frame; f && f.key !== undefined; f = f.parent) parts.push(f.key);
  return parts.reverse().join('.');
}

/** PostgreSQL text cannot hold U+0000; refusing it here keeps it from becoming a database error (500). */
const NUL_MESSAGE = 'The NUL character (U+0000) is not allowed';

/** NUL characters in path parameters or query values (flat strings or repeated values). */
export function nulIssues(location: 'params' | 'query', values: unknown): ValidationIssue[] {
  if (!values || typeof values !== 'object') return [];
  const issues: ValidationIssue[] = [];
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    if (key.includes('\u0000') || list.some((v) => typeof v === 'string' && v.includes('\u0000'))) {
      issues.push({ location, path: key, message: NUL_MESSAGE, code: 'invalid_string' });
    }
  }
  return issues;
}

/** §1.1: a string with no stated maximum is capped at 10 000 characters, an array at 1 000 items. */
export const DEFAULT_MAX_STRING = 10_000;
export const DEFAULT_MAX_ARRAY = 1_000;

export interface BodyShapeLimits {
  maxStringLength?: number;
  maxArrayLength?: number;
}

/**
 * Refuses keys that could reach an object's prototype and nesting past 32 levels, whatever the
 * route's schema says. Iterative (an explicit stack) so a hostile body cannot exhaust the call
 * stack, and each value is visited once. It relies on the body parser keeping `__proto__` as an own
 * key, which `JSON.parse` and `Object.fromEntries` do.
 */
export function checkBodyShape(body: unknown, limits: BodyShapeLimits = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const maxString = limits.maxStringLength ?? DEFAULT_MAX_STRING;
  const maxArray = limits.maxArrayLength ?? DEFAULT_MAX_ARRAY;
  if (typeof body === 'string' && body.length > maxString) {
    return [{ location: 'body', path: '', message: `Strings are limited to ${maxString} characters`, code: 'too_big' }];
  }
  if (typeof body !== 'object' || body === null) return issues;
  const stack: Frame[] = [{ value: body, depth: 1, key: undefined, parent: undefined }];
  while (stack.length > 0 && issues.length < MAX_REPORTED_ISSUES) {
    const frame = stack.pop()!;
    if (Array.isArray(frame.value) && frame.value.length > maxArray) {
      issues.push({ location: 'body', path: pathOf(frame), message: `Arrays are limited to ${maxArray} items`, code: 'too_big' });
      continue;
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(frame.value)
      ? frame.value.map((v, i) => [i, v])
      : Object.keys(frame.value).map((k) => [k, (frame.value as Record<string, unknown>)[k]]);
    for (const [key, child] of entries) {
      if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
        issues.push({ location: 'body', path: pathOf(frame, key), message: `The key "${key}" is not allowed`, code: 'forbidden_key' });
        continue;
      }
      if (typeof key === 'string' && key.includes('\u0000')) {
        issues.push({ location: 'body', path: pathOf(frame, key), message: NUL_MESSAGE, code: 'invalid_string' });
        continue;
      }
      if (typeof child === 'string' && child.includes('\u0000')) {
        issues.push({ location: 'body', path: pathOf(frame, key), message: NUL_MESSAGE, code: 'invalid_string' });
        continue;
      }
      if (typeof child === 'string' && child.length > maxString) {
        issues.push({ location: 'body', path: pathOf(frame, key), message: `Strings are limited to ${maxString} characters`, code: 'too_big' });
        continue;
      }
      if (typeof child !== 'object' || child === null) continue;
      const next: Frame = { value: child, depth: frame.depth + 1, key, parent: frame };
      if (next.depth > MAX_BODY_DEPTH) {
        issues.push({ location: 'body', path: pathOf(next), message: `Nesting deeper than ${MAX_BODY_DEPTH} levels is not allowed`, code: 'too_deep' });
        continue;
      }
      stack.push(next);
    }
  }
  return issues;
}

/** zod issues → `errors[]` entries: dot paths with numeric indices, one entry per unknown key. */
export function issuesFromZod(location: Location, error: z.ZodError): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => String(p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ location, path: [...path, key].join('.'), message: `Unknown field "${key}"`, code: issue.code });
      }
    } else {
      out.push({ location, path: path.join('.'), message: issue.message, code: issue.code });
    }
  }
  return out;
}

async function parsePart(location: Location, schema: z.ZodType | undefined, input: unknown, issues: ValidationIssue[]): Promise<unknown> {
  if (!schema) return input;
  // Async so that schemas with async refinements (uniqueness lookups…) work like any other.
  const result = await schema.safeParseAsync(input);
  if (result.success) return result.data;
  issues.push(...issuesFromZod(location, result.error));
  return undefined;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** A route that declares no body takes none: an absent body or `{}` is fine, anything else is named. */
function refuseUndeclaredBody(body: unknown): ValidationIssue[] {
  if (body === undefined || isEmptyObject(body)) return [];
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    return Object.keys(body).map((key) => ({ location: 'body', path: key, message: `Unknown field "${key}"`, code: 'unrecognized_keys' }));
  }
  return [{ location: 'body', path: '', message: 'This route takes no request body', code: 'invalid_type' }];
}

async function parseBody(spec: AnyRouteSpec, raw: unknown, issues: ValidationIssue[]): Promise<unknown> {
  const shapeIssues = checkBodyShape(raw, spec.bodyShape);
  if (shapeIssues.length > 0) {
    // A hostile body is never handed to the schema: report what makes it unacceptable and stop.
    issues.push(...shapeIssues);
    return undefined;
  }
  // An empty body is `{}`: a POST whose schema has no required field then succeeds, and one
  // with required fields gets a 400 naming each of them.
  if (spec.body) return parsePart('body', spec.body, raw === undefined ? {} : raw, issues);
  if (!BODY_METHODS.has(spec.method)) return undefined;
  issues.push(...refuseUndeclaredBody(raw));
  return {};
}

/**
 * Middleware that parses params, query, body and headers with the route's schemas and stores the
 * results on `req.valid`. Express 5's `req.query` is a getter, so parsed values are never written
 * back onto `req`; handlers read `req.valid` (the registry passes them in as arguments).
 */
export function validateRequest(spec: AnyRouteSpec): RequestHandler {
  // A GET without schemas has nothing to check: skip the promise chain on the hottest routes.
  if (!spec.params && !spec.query && !spec.headers && !spec.body && !BODY_METHODS.has(spec.method)) {
    return (req: Request, _res: Response, next: NextFunction) => {
      const nul = nulIssues('params', req.params);
      if (nul.length > 0) return next(validationProblem(nul));
      // `req.query` parses the query string on every read: defer it until a handler asks.
      req.valid = {
        params: req.params,
        get query() {
          return req.query;
        },
        body: undefined,
        headers: req.headers,
      };
      next();
    };
  }
  return async (req: Request, _res: Response, next: NextFunction) => {
    const issues: ValidationIssue[] = [...nulIssues('params', req.params), ...nulIssues('query', req.query)];
    const params = await parsePart('params', spec.params, req.params, issues);
    const query = await parsePart('query', spec.query, req.query, issues);
    const headers = await parsePart('headers', spec.headers, req.headers, issues);
    const body = await parseBody(spec, req.body, issues);
    if (issues.length > 0) return next(validationProblem(issues.slice(0, MAX_REPORTED_ISSUES)));
    req.valid = { params, query, body, headers };
    next();
  };
}
