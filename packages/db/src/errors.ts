/*
 * Telling "the database is unreachable" apart from "this query is wrong". The first is transient
 * and the HTTP layer answers it with 503 SERVICE_UNAVAILABLE (and readiness goes red); the second
 * is a bug or bad input and must not be disguised as an outage.
 */

/** Socket-level failures from Node while connecting to or talking with the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs meaning the server went away or will not take us: admin/crash shutdown and "cannot
 * connect now" (startup, recovery) from class 57, and too_many_connections, which clears by
 * itself just like a restart. Class 08 (connection exceptions) is matched by prefix.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages of errors that carry no code: pg-pool, pg's client, and PGlite after close. */
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /connection timeout/i,
  /^timeout expired$/i,
  /client has encountered a connection error and is not queryable/i,
  /cannot use a pool after calling end/i,
  /client was closed and is not queryable/i,
  /PGlite is clos(ed|ing)/i,
];

/** How far to follow `cause` chains; drizzle wraps driver errors in its own, once. */
const MAX_DEPTH = 5;

function isUnavailableOne(err: object): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (code.length === 5 && code.startsWith('08')) return true;
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}

/**
 * True when `err`, or anything it wraps (`cause`, or an AggregateError's `errors`, which Node
 * raises when every address of a host refuses), is a connection-level failure.
 */
export function isDatabaseUnavailableError(err: unknown): boolean {
  const queue: Array<{ value: unknown; depth: number }> = [{ value: err, depth: 0 }];
  const seen = new Set<object>();
  while (queue.length > 0) {
    const { value, depth } = queue.shift()!;
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > MAX_DEPTH) continue;
    seen.add(value);
    if (isUnavailableOne(value)) return true;
    const { cause, errors } = value as { cause?: unknown; errors?: unknown };
    if (cause !== undefined) queue.push({ value: cause, depth: depth + 1 });
    if (Array.isArray(errors)) for (const inner of errors) queue.push({ value: inner, depth: depth + 1 });
  }
  return false;
}

/** The fields of an error worth logging, without the SQL or parameters drizzle puts in messages. */
export function describeDbError(err: unknown): Record<string, unknown> {
  if (err === null || typeof err !== 'object') return { error: String(err) };
  const root = (err as { cause?: unknown }).cause ?? err;
  const { code, message, name } = root as { code?: unknown; message?: unknown; name?: unknown };
  return { name, code, message };
}
