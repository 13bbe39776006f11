import type { Logger } from 'pino';

/** Who is calling, as established by the auth middleware (identity introspection or local verify). */
export interface Principal {
  type: 'user' | 'agent' | 'service' | 'api_key';
  /** user id, agent id, `svc:<serviceId>`, or for API keys the creator's user id. */
  id: string;
  isSuperAdmin: boolean;
  email?: string;
  name?: string;
  /** Orgs the principal may act in, with its role and effective capabilities there. */
  organizations: Array<{ id: string; name?: string; slug?: string; role: string; capabilities: string[] }>;
  /** Agents: capabilities; services: scopes; API keys: scopes. Users: empty. */
  scopes: string[];
  /** Global grants of a user (`cap:*`). */
  entitlements: string[];
  roles: string[];
  /** API keys: key id, bound org/service/env. */
  keyId?: string;
  boundOrgId?: string | null;
  boundServiceId?: string | null;
  boundEnv?: string | null;
  serviceId?: string;
  agentId?: string;
  /** How the credential arrived; cookie-authenticated unsafe requests need an allowed Origin. */
  via: 'bearer' | 'api_key' | 'cookie';
  /** The raw introspection (or local verification) answer, for `/api/auth/me`. */
  raw?: Record<string, unknown>;
}

export type DataClass = 'none' | 'pii' | 'phi' | 'secret';

/** The tenancy headers of outline §1.6, parsed and validated. `orgId` is resolved by `requireOrg`. */
export interface TenantContext {
  orgId?: string;
  serviceId?: string;
  env: string;
  dataClass: DataClass;
  policyRef: string;
  onBehalfOf?: string;
}

export interface RequestContext {
  requestId: string;
  traceId: string;
  /** W3C parent span id of the inbound `traceparent`, when one was continued. */
  parentSpanId?: string;
  spanId: string;
  log: Logger;
  startedAt: number;
  tenant: TenantContext;
  principal?: Principal;
}

declare module 'express-serve-static-core' {
  interface Request {
    ctx: RequestContext;
    /** Request parts after zod validation, filled by the route registry. */
    valid: { params: unknown; query: unknown; body: unknown; headers: unknown };
  }
}
