import { schemaFieldLines } from './json-schema.js';
import type { EndpointDoc, JsonSchema, ProblemCodeDoc, ServiceDoc, SocketEventDoc } from './types.js';

/**
 * `llms.txt` (the short index, after llmstxt.org: a title, a one-paragraph summary, then lists) and
 * `llms-full.txt` (everything a client needs to call the service without reading its code).
 */

const DEFAULT_DOCS_URLS = { openapi: '/docs/openapi.json', llms: '/docs/llms.txt', llmsFull: '/docs/llms-full.txt' };

function endpointLine(e: EndpointDoc): string {
  return `${e.method.toUpperCase()} ${e.path} — ${e.summary} (auth: ${e.auth})`;
}

function header(desc: ServiceDoc, title: string): string[] {
  return [
    `# ${title}`,
    '',
    `> ${desc.description.replace(/\s*\n\s*/g, ' ')}`,
    '',
    `Service id: \`${desc.service}\`. Version: ${desc.version}.`,
    '',
    '## Auth',
    '',
    desc.auth,
    '',
  ];
}

export function renderLlmsTxt(desc: ServiceDoc): string {
  const urls = desc.docsUrls ?? DEFAULT_DOCS_URLS;
  const lines = header(desc, desc.name);
  lines.push('## Docs', '', `- OpenAPI 3.1: ${urls.openapi}`, `- Full reference for LLMs: ${urls.llmsFull}`, '');
  lines.push('## Endpoints', '');
  // The given order is kept: services register related routes together.
  for (const e of desc.endpoints) lines.push(`- ${endpointLine(e)}`);
  lines.push('');
  if (desc.socket) {
    lines.push('## Socket.IO', '', `Path: ${desc.socket.path ?? '/socket.io'}.`);
    lines.push(`Client events: ${desc.socket.clientEvents.map(eventName).join(', ') || 'none'}.`);
    lines.push(`Server events: ${desc.socket.serverEvents.map(eventName).join(', ') || 'none'}.`, '');
  }
  return lines.join('\n');
}

function eventName(e: SocketEventDoc): string {
  return typeof e === 'string' ? e : e.name;
}

function section(title: string, schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  return [`${title}:`, ...schemaFieldLines(schema).map((l) => `  ${l}`)];
}

function statusOf(code: string, catalog: Map<string, ProblemCodeDoc>): string {
  const info = catalog.get(code);
  return info ? `${code} (${info.status})` : code;
}

function endpointBlock(e: EndpointDoc, catalog: Map<string, ProblemCodeDoc>): string[] {
  const lines = [`### ${e.method.toUpperCase()} ${e.path}`, '', e.summary, '', `Auth: ${e.auth}`];
  if (e.operationId) lines.push(`Operation: ${e.operationId}`);
  if (e.description) lines.push('', e.description);
  const parts = [
    section('Path parameters', e.params),
    section('Query parameters', e.query),
    section('Headers', e.headers),
    section(`Request body (${(e.bodyTypes ?? ['application/json']).join(' or ')})`, e.body),
  ].filter((p) => p.length > 0);
  for (const p of parts) lines.push('', ...p);
  lines.push('', 'Responses:');
  for (const [status, r] of Object.entries(e.responses)) {
    const type = r.contentType && r.contentType !== 'application/json' ? ` [${r.contentType}]` : '';
    lines.push(`  - ${status}${type}: ${r.description}`);
    if (r.schema) lines.push(...schemaFieldLines(r.schema).map((l) => `      ${l}`));
  }
  if (e.errors && e.errors.length > 0) {
    lines.push('', `Errors (application/problem+json): ${e.errors.map((c) => statusOf(c, catalog)).join(', ')}`);
  }
  lines.push('');
  return lines;
}

function socketBlock(title: string, events: SocketEventDoc[]): string[] {
  const lines = [`### ${title}`, ''];
  if (events.length === 0) lines.push('(none)');
  for (const e of events) {
    if (typeof e === 'string') {
      lines.push(`- ${e}`);
      continue;
    }
    lines.push(`- ${e.name}${e.description ? ` — ${e.description}` : ''}`);
    if (e.payload) lines.push(...schemaFieldLines(e.payload).map((l) => `    ${l}`));
  }
  lines.push('');
  return lines;
}

export function renderLlmsFullTxt(desc: ServiceDoc): string {
  const urls = desc.docsUrls ?? DEFAULT_DOCS_URLS;
  const catalog = new Map(desc.problemCodes.map((p) => [p.code, p]));
  const lines = header(desc, `${desc.name} — full API reference`);
  lines.push(
    '## Conventions',
    '',
    `Machine-readable: ${urls.openapi}. Short index: ${urls.llms}.`,
    'JSON in and out, camelCase fields. Paths use `:name` for path parameters. Request bodies are strict: unknown fields are rejected with 400 VALIDATION_FAILED.',
    'Errors are RFC 9457 `application/problem+json` bodies: type, title, status, detail, code, requestId, and errors[] ({location, path, message, code}) on VALIDATION_FAILED.',
    '',
    '## Endpoints',
    '',
  );
  for (const e of desc.endpoints) lines.push(...endpointBlock(e, catalog));
  if (desc.socket) {
    lines.push('## Socket.IO events', '', `Path: ${desc.socket.path ?? '/socket.io'}. Every client event takes an ack callback answering {ok:true, …} or {ok:false, error, message}.`, '');
    lines.push(...socketBlock('Client → server', desc.socket.clientEvents));
    lines.push(...socketBlock('Server → client', desc.socket.serverEvents));
  }
  lines.push('## Error codes', '');
  const codes = [...desc.problemCodes].sort((a, b) => a.status - b.status || (a.code < b.code ? -1 : 1));
  for (const p of codes) lines.push(`- ${p.status} ${p.code} — ${p.title}`);
  lines.push('');
  return lines.join('\n');
}
