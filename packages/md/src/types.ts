/**
 * The neutral description the renderers work from. It carries JSON Schemas, not zod schemas, so
 * this package needs neither express nor zod and can document any service (or a client contract).
 */

/** A JSON Schema (draft 2020-12) object, as produced by `z.toJSONSchema`. */
export type JsonSchema = { [keyword: string]: unknown };

export interface ResponseDoc {
  description: string;
  schema?: JsonSchema;
  contentType?: string;
}

export interface EndpointDoc {
  method: string;
  /** Express-style path (`/api/orgs/:orgId`). */
  path: string;
  summary: string;
  /** As written in the outline's Auth column: `none`, `any`, `org:admin`… */
  auth: string;
  operationId?: string;
  description?: string;
  params?: JsonSchema;
  query?: JsonSchema;
  headers?: JsonSchema;
  body?: JsonSchema;
  /** Content types the body may be sent as; JSON when absent. */
  bodyTypes?: string[];
  responses: Record<number, ResponseDoc>;
  /** Problem codes this endpoint can answer with. */
  errors?: string[];
}

/** An event name, or a name with what it is for and the JSON Schema of its payload. */
export type SocketEventDoc = string | { name: string; description?: string; payload?: JsonSchema };

export interface SocketDoc {
  path?: string;
  clientEvents: SocketEventDoc[];
  serverEvents: SocketEventDoc[];
}

export interface ProblemCodeDoc {
  code: string;
  status: number;
  title: string;
}

export interface ServiceDoc {
  service: string;
  name: string;
  version: string;
  description: string;
  /** One paragraph: which credentials are accepted and where they are verified. */
  auth: string;
  endpoints: EndpointDoc[];
  socket?: SocketDoc | null;
  problemCodes: ProblemCodeDoc[];
  /** Where the machine-readable docs live; the shell's standard paths when absent. */
  docsUrls?: { openapi: string; llms: string; llmsFull: string };
}
