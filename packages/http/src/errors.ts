/**
 * RFC 9457 problem details. Every failure a client can see is an `HttpProblem` with a stable code;
 * anything else that reaches the error middleware is an unexpected fault and becomes a generic 500.
 */

export interface ProblemCodeInfo {
  status: number;
  title: string;
}

/** The shell codes of outline §1.4. Services add their own catalog with `defineProblemCodes`. */
export const SHELL_PROBLEM_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'Request validation failed' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  PAGINATION_CURSOR_INVALID: { status: 400, title: 'Invalid pagination cursor' },
  TENANT_ORG_REQUIRED: { status: 400, title: 'Organization required' },
  TENANT_ORG_CONFLICT: { status: 400, title: 'Organization conflict' },
  AUTH_REQUIRED: { status: 401, title: 'Authentication required' },
  AUTH_INVALID: { status: 401, title: 'Invalid credential' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  AUTH_SCOPE_INSUFFICIENT: { status: 403, title: 'API key scope insufficient' },
  TENANT_ORG_FORBIDDEN: { status: 403, title: 'Organization not allowed' },
  AUTH_CSRF_REJECTED: { status: 403, title: 'Cross-site request rejected' },
  CORS_ORIGIN_REJECTED: { status: 403, title: 'Origin not allowed' },
  ROUTE_NOT_FOUND: { status: 404, title: 'Route not found' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  REQUEST_HEADER_FIELDS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'Dependency unavailable' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, ProblemCodeInfo>;

export type ShellProblemCode = keyof typeof SHELL_PROBLEM_CODES;

const catalog = new Map<string, ProblemCodeInfo>(Object.entries(SHELL_PROBLEM_CODES));

/**
 * Register a service's codes (`IDENTITY_EMAIL_TAKEN: {status: 409, title: …}`) so titles stay fixed
 * per code and the docs can list them. Returns the same object, typed, for the service's errors.ts.
 */
export function defineProblemCodes<T extends Record<string, ProblemCodeInfo>>(codes: T): T {
  for (const [code, info] of Object.entries(codes)) catalog.set(code, info);
  return codes;
}

export function problemCodeInfo(code: string): ProblemCodeInfo | undefined {
  return catalog.get(code);
}

export function allProblemCodes(): ReadonlyMap<string, ProblemCodeInfo> {
  return catalog;
}

export interface ValidationIssue {
  location: 'body' | 'query' | 'params' | 'headers';
  path: string;
  message: string;
  code: string;
}

export interface HttpProblemInit {
  detail?: string;
  /** Extension members (`requiredCapability`, `retryAfter`, `reason`, …), merged into the body. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  errors?: ValidationIssue[];
  /** The underlying fault, kept for server-side logs only; never serialized. */
  cause?: unknown;
}

export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly errors?: ValidationIssue[];

  constructor(readonly code: string, init: HttpProblemInit = {}) {
    const info = catalog.get(code);
    if (!info) throw new Error(`unknown problem code ${code}: register it with defineProblemCodes`);
    super(init.detail ?? info.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HttpProblem';
    this.status = info.status;
    this.title = info.title;
    this.detail = init.detail ?? info.title;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
    this.errors = init.errors;
  }
}

export function isHttpProblem(err: unknown): err is HttpProblem {
  return err instanceof HttpProblem;
}

export function problem(code: string, detail?: string, extensions?: Record<string, unknown>): HttpProblem {
  return new HttpProblem(code, { detail, extensions });
}

export function validationProblem(errors: ValidationIssue[], detail = 'The request did not match the schema'): HttpProblem {
  return new HttpProblem('VALIDATION_FAILED', { detail, errors });
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: ValidationIssue[];
  [extension: string]: unknown;
}

export function problemBody(p: HttpProblem, requestId: string): ProblemBody {
  const body: ProblemBody = {
    ...p.extensions,
    type: `urn:symbia:problem:${p.code}`,
    title: p.title,
    status: p.status,
    detail: p.detail,
    code: p.code,
    requestId,
  };
  if (p.errors) body.errors = p.errors;
  return body;
}
