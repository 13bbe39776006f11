import type { SocketEventDoc } from '@symbia/md';
import { describeAllOperations } from './operations.js';
import type { RouteRegistry } from './registry.js';
import { DOCS_PATHS } from './shell-operations.js';

/**
 * `GET /api/bootstrap/service` (outline §1.3): what a client, the CLI or another service needs to
 * start talking to this one without reading its docs first.
 */

export const TENANCY_HEADERS = ['X-Org-Id', 'X-Service-Id', 'X-Env', 'X-Data-Class', 'X-Policy-Ref'] as const;

export interface SocketInfo {
  path: string;
  /** Event names, or names with a description and payload schema (those also feed llms-full.txt). */
  clientEvents: SocketEventDoc[];
  serverEvents: SocketEventDoc[];
}

export interface ServiceDescriptorOptions {
  port: number;
  /** Current state (`ok`, `degraded`, `draining`…), read on every request. */
  status: () => string;
  /** Base URL of identity, where credentials are verified. */
  identityUrl: string;
  socket: SocketInfo | null;
  optionalDependencies: string[];
  limits: { bodyBytes: number; pageMax: number };
}

export interface ServiceDescriptor {
  service: string;
  name: string;
  version: string;
  description: string;
  port: number;
  status: string;
  docsUrls: { openapi: string; llms: string; llmsFull: string };
  auth: { methods: ['bearer', 'apiKey']; identityUrl: string; introspectionEndpoint: string };
  tenancyHeaders: string[];
  /** operationId → `METHOD /path`, for every route the service answers (aliases under suffixed ids). */
  endpoints: Record<string, string>;
  socket: { path: string; clientEvents: string[]; serverEvents: string[] } | null;
  dependencies: { required: ['database']; optional: string[] };
  limits: { bodyBytes: number; pageMax: number };
}

function eventNames(events: SocketEventDoc[]): string[] {
  return events.map((e) => (typeof e === 'string' ? e : e.name));
}

export function buildServiceDescriptor(registry: RouteRegistry, options: ServiceDescriptorOptions): ServiceDescriptor {
  const identityUrl = options.identityUrl.replace(/\/+$/, '');
  const endpoints: Record<string, string> = {};
  for (const op of describeAllOperations(registry)) endpoints[op.operationId] = `${op.method.toUpperCase()} ${op.path}`;
  const { service, name, version, description } = registry.info;
  return {
    service,
    name,
    version,
    description,
    port: options.port,
    status: options.status(),
    docsUrls: { ...DOCS_PATHS },
    auth: { methods: ['bearer', 'apiKey'], identityUrl, introspectionEndpoint: `${identityUrl}/api/auth/introspect` },
    tenancyHeaders: [...TENANCY_HEADERS],
    endpoints,
    socket: options.socket
      ? { path: options.socket.path, clientEvents: eventNames(options.socket.clientEvents), serverEvents: eventNames(options.socket.serverEvents) }
      : null,
    dependencies: { required: ['database'], optional: [...options.optionalDependencies] },
    limits: { ...options.limits },
  };
}
