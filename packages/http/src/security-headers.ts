import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * The headers outline §1.1 puts on every response. They are set before routing so 404s, problem
 * responses and health bodies carry them too. `X-Powered-By` is turned off with
 * `app.disable('x-powered-by')` by createServiceApp; the removal here covers apps assembled by hand.
 */
export function securityHeaders(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.removeHeader('X-Powered-By');
    next();
  };
}

/** For responses that carry a token, key or credential: no cache may keep a copy. */
export function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}
