import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { HttpProblem, isHttpProblem, problemBody } from './errors.js';

export interface ProblemHandlerOptions {
  /** Fallback logger when a request has no context (it always should). */
  logger?: Logger;
  /** Recognises "database unreachable" faults (the lead passes `isDatabaseUnavailableError`). */
  isUnavailable?: (err: unknown) => boolean;
  /** Counts answered problem codes (`http_errors_total`). */
  onProblem?: (code: string) => void;
}

const GENERIC_DETAIL = 'An unexpected error occurred.';

function errorType(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'type' in err && typeof err.type === 'string') return err.type;
  return undefined;
}

/**
 * Maps what can reach the error middleware to a problem: our own problems as they are; faults of
 * body parsing and path decoding (caused by the client) to their 4xx; database outages to 503;
 * everything else to a 500 whose body says nothing about the fault.
 */
export function toProblem(err: unknown, isUnavailable?: (err: unknown) => boolean): { problem: HttpProblem; unexpected: boolean } {
  if (isHttpProblem(err)) return { problem: err, unexpected: false };
  switch (errorType(err)) {
    case 'entity.too.large':
      return { problem: new HttpProblem('PAYLOAD_TOO_LARGE', { detail: 'The request body is too large', headers: { Connection: 'close' } }), unexpected: false };
    case 'entity.parse.failed':
      return { problem: new HttpProblem('MALFORMED_JSON', { detail: 'The request body is not valid JSON' }), unexpected: false };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { problem: new HttpProblem('UNSUPPORTED_MEDIA_TYPE', { detail: 'The request body encoding is not supported' }), unexpected: false };
    case 'request.aborted':
      return { problem: new HttpProblem('MALFORMED_JSON', { detail: 'The request body ended early' }), unexpected: false };
  }
  // Express's router raises a URIError with status 400 for a path segment that is not valid percent-encoding.
  if (err instanceof URIError && (err as URIError & { status?: number }).status === 400) {
    return {
      problem: new HttpProblem('VALIDATION_FAILED', {
        detail: 'A path parameter is not valid percent-encoding',
        errors: [{ location: 'params', path: '', message: 'invalid percent-encoding', code: 'invalid_encoding' }],
      }),
      unexpected: false,
    };
  }
  if (isUnavailable?.(err)) {
    return { problem: new HttpProblem('SERVICE_UNAVAILABLE', { detail: 'The service cannot reach its database; retry shortly', cause: err }), unexpected: false };
  }
  return { problem: new HttpProblem('INTERNAL_ERROR', { detail: GENERIC_DETAIL, cause: err }), unexpected: true };
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}

/** Writes a problem response; shared by the error middleware and the 404/405 handler. */
export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  if (problem.status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
  res.locals.problemCode = problem.code;
  res.status(problem.status).type('application/problem+json');
  res.send(JSON.stringify(problemBody(problem, req.ctx?.requestId ?? String(res.getHeader('X-Request-Id') ?? ''))));
}

/** The one error middleware of every app: always the last `app.use`. */
export function problemHandler(options: ProblemHandlerOptions = {}): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const log = req.ctx?.log ?? options.logger;
    if (res.headersSent) {
      // Too late for a problem body: Express's default handler destroys the socket so the client sees a failure.
      log?.error({ err: describe(err) }, 'error after the response started');
      return next(err);
    }
    const { problem, unexpected } = toProblem(err, options.isUnavailable);
    if (unexpected) log?.error({ err: describe(err) }, 'unexpected error');
    else if (problem.status >= 500) log?.warn({ code: problem.code, err: problem.cause === undefined ? undefined : describe(problem.cause) }, problem.detail);
    options.onProblem?.(problem.code);
    sendProblem(req, res, problem);
  };
}

export interface NotFoundOptions {
  /** Methods served at a path, when anything is served there (the registry's `allowedMethods`). */
  allowedMethods?: (path: string) => string[] | undefined;
}

function allowHeader(methods: readonly string[]): string {
  const set = new Set(methods.map((m) => m.toUpperCase()));
  if (set.has('GET')) set.add('HEAD');
  set.delete('TRACE');
  return [...set].join(', ');
}

/**
 * After every router: a known path with another method is 405 with `Allow`, anything else 404.
 * TRACE is refused everywhere, so a proxy cannot be used to reflect request headers.
 */
export function notFoundHandler(options: NotFoundOptions = {}): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const methods = options.allowedMethods?.(req.path);
    const otherMethods = methods !== undefined && methods.length > 0 && !methods.some((m) => m.toUpperCase() === req.method);
    if (req.method === 'TRACE' || otherMethods) {
      return next(
        new HttpProblem('METHOD_NOT_ALLOWED', {
          detail: `${req.method} is not allowed on this path`,
          headers: { Allow: allowHeader(methods ?? []) },
        }),
      );
    }
    next(new HttpProblem('ROUTE_NOT_FOUND', { detail: `No route for ${req.method} ${req.path.slice(0, 200)}` }));
  };
}
