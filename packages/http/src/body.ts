import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from './errors.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export type BodyType = 'json' | 'form';

export interface JsonBodyOptions {
  /** Maximum body size in bytes (default 1 MiB). */
  limit?: number;
  /** Accepted body kinds; JSON only unless a route also takes `application/x-www-form-urlencoded`. */
  types?: readonly BodyType[];
}

type MediaKind = BodyType | 'other';

interface MediaType {
  kind: MediaKind;
  charset?: string;
}

function parseMediaType(header: string | undefined): MediaType {
  if (!header) return { kind: 'other' };
  const [rawType = '', ...params] = header.split(';');
  const type = rawType.trim().toLowerCase();
  let charset: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    }
  }
  let kind: MediaKind = 'other';
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) kind = 'json';
  else if (type === 'application/x-www-form-urlencoded') kind = 'form';
  return { kind, charset };
}

/** True when the request announces a body: a positive Content-Length or any Transfer-Encoding. */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem('PAYLOAD_TOO_LARGE', {
    detail: `The request body exceeds the ${limit}-byte limit`,
    // The unread rest of an oversized body is not worth receiving: close once the 413 is out.
    headers: { Connection: 'close' },
  });
}

/**
 * Reads the body while counting bytes and stops at the limit, so a chunked upload without a
 * Content-Length can never make the process buffer more than `limit` bytes.
 */
function readLimited(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => {
      cleanup();
      reject(Object.assign(new Error('request aborted'), { type: 'request.aborted' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw new HttpProblem('MALFORMED_JSON', { detail: 'The request body is not valid UTF-8' });
  }
}

function parseForm(text: string): Record<string, string> {
  // Object.fromEntries defines own properties, so a `__proto__` field stays a plain key for the validator to refuse.
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * Per-route body parser. The route registry installs one per route with that route's limit and
 * accepted types, so a 5 MiB ingest route does not raise the limit of every other route.
 * An absent body leaves `req.body` undefined; the validator treats that as `{}`.
 */
export function jsonBody(options: JsonBodyOptions = {}): RequestHandler {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  const types = options.types ?? ['json'];
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.body = undefined;
    if (!hasBody(req)) return next();

    const media = parseMediaType(req.headers['content-type']);
    if (media.kind === 'other' || !types.includes(media.kind)) {
      const accepted = types.map((t) => (t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ');
      return next(new HttpProblem('UNSUPPORTED_MEDIA_TYPE', { detail: `The request body must be ${accepted}` }));
    }
    if (media.charset !== undefined && media.charset !== 'utf-8' && media.charset !== 'utf8') {
      return next(new HttpProblem('UNSUPPORTED_MEDIA_TYPE', { detail: 'The request body must be encoded as UTF-8' }));
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return next(new HttpProblem('UNSUPPORTED_MEDIA_TYPE', { detail: 'Compressed request bodies are not accepted' }));
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) return next(tooLarge(limit));

    let raw: Buffer;
    try {
      raw = await readLimited(req, limit);
    } catch (err) {
      return next(err);
    }
    if (raw.length === 0) return next();

    try {
      const text = decode(raw);
      req.body = media.kind === 'form' ? parseForm(text) : parseJson(text);
    } catch (err) {
      return next(err);
    }
    next();
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem('MALFORMED_JSON', { detail: 'The request body is not valid JSON' });
  }
}
