import { Router, type Request, type Response } from 'express';
import { renderLlmsFullTxt, renderLlmsTxt, type ServiceDoc } from '@symbia/md';
import { buildServiceDescriptor, TENANCY_HEADERS, type ServiceDescriptorOptions } from './bootstrap.js';
import { allProblemCodes } from './errors.js';
import { buildOpenApiDocument } from './openapi.js';
import { describeAllOperations, problemCodesOf } from './operations.js';
import type { RouteRegistry } from './registry.js';
import { DOCS_PATHS, DOCS_REDIRECTS } from './shell-operations.js';

/**
 * Docs and discovery (outline §1.3): the OpenAPI document, llms.txt, llms-full.txt, their
 * conventional redirect paths and the bootstrap descriptor. All are public and credential-free,
 * hence `Access-Control-Allow-Origin: *` on exactly these responses (never with credentials).
 */

export interface DocsRouterOptions extends ServiceDescriptorOptions {
  /** Public base URL, listed as the OpenAPI server when known. */
  serverUrl?: string;
  /** The llms.txt auth paragraph; by default it is written from `identityUrl`. */
  authSummary?: string;
}

export function defaultAuthSummary(identityUrl: string): string {
  const base = identityUrl.replace(/\/+$/, '');
  return [
    'Send `Authorization: Bearer <jwt>` (user, agent or service token) or `X-API-Key: <key>`;',
    'browsers may rely on the `token` cookie, and then unsafe methods need an allowed `Origin`.',
    `Credentials are verified by identity (${base}) through RFC 7662 introspection at ${base}/api/auth/introspect.`,
    `Tenancy headers: ${TENANCY_HEADERS.join(', ')}; \`X-Org-Id\` selects one of the caller's organizations.`,
    'Endpoints marked `auth: none` need no credential.',
  ].join(' ');
}

export function buildServiceDoc(registry: RouteRegistry, options: DocsRouterOptions): ServiceDoc {
  return {
    ...registry.info,
    auth: options.authSummary ?? defaultAuthSummary(options.identityUrl),
    // The redirects only lead to these docs; listing them would bury the API under eight lines of noise.
    endpoints: describeAllOperations(registry).filter((op) => !op.redirectTo).map((op) => ({
      method: op.method,
      path: op.path,
      summary: op.summary,
      auth: op.auth,
      operationId: op.operationId,
      ...(op.description ? { description: op.description } : {}),
      ...(op.params ? { params: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.headers ? { headers: op.headers } : {}),
      ...(op.body && op.method !== 'get' ? { body: op.body, bodyTypes: op.bodyTypes } : {}),
      responses: op.responses,
      errors: problemCodesOf(op),
    })),
    socket: options.socket,
    problemCodes: [...allProblemCodes()].map(([code, { status, title }]) => ({ code, status, title })),
    docsUrls: { ...DOCS_PATHS },
  };
}

/** Rendering walks every schema; keep the text until routes or problem codes are added. */
function memoText(registry: RouteRegistry, render: () => string): () => string {
  let stamp = '';
  let text = '';
  return () => {
    const now = `${registry.routes().length}/${allProblemCodes().size}`;
    if (now !== stamp) {
      text = render();
      stamp = now;
    }
    return text;
  };
}

function publicResponse(res: Response): Response {
  res.setHeader('Access-Control-Allow-Origin', '*');
  return res;
}

function sendText(res: Response, text: string): void {
  publicResponse(res).type('text/plain; charset=utf-8').send(text);
}

export function createDocsRouter(registry: RouteRegistry, options: DocsRouterOptions): Router {
  const router = Router();
  const llms = memoText(registry, () => renderLlmsTxt(buildServiceDoc(registry, options)));
  const llmsFull = memoText(registry, () => renderLlmsFullTxt(buildServiceDoc(registry, options)));

  router.get(DOCS_PATHS.openapi, (_req: Request, res: Response) => {
    publicResponse(res).json(buildOpenApiDocument(registry, { serverUrl: options.serverUrl }));
  });
  router.get(DOCS_PATHS.llms, (_req: Request, res: Response) => sendText(res, llms()));
  router.get(DOCS_PATHS.llmsFull, (_req: Request, res: Response) => sendText(res, llmsFull()));
  router.get('/api/bootstrap/service', (_req: Request, res: Response) => {
    publicResponse(res).json(buildServiceDescriptor(registry, options));
  });
  for (const { from, to } of DOCS_REDIRECTS) {
    router.get(from, (_req: Request, res: Response) => publicResponse(res).redirect(302, to));
  }
  return router;
}
