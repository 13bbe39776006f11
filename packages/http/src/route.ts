import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteResponse {
  description: string;
  /** Omit for bodiless responses (204) and for problem responses. */
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteHandlerArgs<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

/**
 * One declaration per endpoint. The registry uses it to parse the body (with its limit), validate
 * params/query/body/headers, run middleware, call the handler, and to write the OpenAPI document,
 * llms.txt and the bootstrap descriptor: the docs cannot drift from what the code accepts.
 */
export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Express path syntax: `/api/orgs/:orgId`. */
  path: string;
  /** Stable operation name, unique per service: `orgs.get`, `auth.user.login`. */
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Auth requirement as written in the outline's Auth column (`none`, `any`, `user-jwt`, `org:admin`…). Docs only; enforcement is `middleware`. */
  auth: string;
  params?: P;
  query?: Q;
  body?: B;
  headers?: z.ZodType;
  /** Accepted body content types; default JSON only. `application/x-www-form-urlencoded` is supported for RFC 7662/7009 routes. */
  bodyTypes?: Array<'json' | 'form'>;
  /** Body limit in bytes (default 1 MiB). */
  bodyLimit?: number;
  /**
   * Raise the §1.1 defaults (strings ≤ 10 000 characters, arrays ≤ 1 000 items) for a route whose
   * schema states larger maxima, e.g. a base64 artifact upload.
   */
  bodyShape?: { maxStringLength?: number; maxArrayLength?: number };
  responses: Record<number, RouteResponse>;
  /** Problem codes this route can answer with, for the docs. */
  errors?: string[];
  /**
   * Run first, before the body is parsed or validated: authentication and role requirements, so an
   * unauthenticated request is a 401 whatever its body.
   */
  guards?: RequestHandler[];
  /** Run after validation, before the handler: rate limits keyed on validated input, capability checks. */
  middleware?: RequestHandler[];
  /** Other paths serving the same operation (outline aliases). */
  aliases?: string[];
  handler: (args: RouteHandlerArgs<z.infer<P>, z.infer<Q>, z.infer<B>>) => unknown | Promise<unknown>;
}

export type AnyRouteSpec = RouteSpec<any, any, any>;

/** Identity function that keeps the handler's argument types inferred from the schemas. */
export function defineRoute<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}
