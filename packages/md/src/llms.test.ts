import { describe, expect, it } from 'vitest';
import { renderLlmsFullTxt, renderLlmsTxt } from './llms.js';
import type { ServiceDoc } from './types.js';

const desc: ServiceDoc = {
  service: 'logging',
  name: 'Symbia Logging',
  version: '1.0.0',
  description: 'Logs, metrics and traces for every tenant.',
  auth: 'Bearer JWT or X-API-Key, verified by identity.',
  endpoints: [
    {
      method: 'post',
      path: '/api/logs/:streamId/entries',
      operationId: 'logs.entries.ingest',
      summary: 'Ingest log entries',
      auth: 'cap:logging.write',
      description: 'Appends entries to a stream.',
      params: { type: 'object', required: ['streamId'], properties: { streamId: { type: 'string', format: 'uuid' } } },
      body: {
        type: 'object',
        required: ['entries'],
        properties: {
          entries: {
            type: 'array',
            maxItems: 1000,
            items: { type: 'object', required: ['level'], properties: { level: { type: 'string', enum: ['info', 'error'] } } },
          },
        },
      },
      responses: { 202: { description: 'Accepted', schema: { type: 'object', properties: { accepted: { type: 'integer' } } } } },
      errors: ['VALIDATION_FAILED', 'LOGGING_STREAM_NOT_FOUND'],
    },
    { method: 'get', path: '/health/live', summary: 'Liveness', auth: 'none', responses: { 200: { description: 'Serving' } } },
  ],
  socket: { path: '/socket.io', clientEvents: ['logs:subscribe'], serverEvents: [{ name: 'logs:entry', description: 'A new entry', payload: { type: 'object', properties: { id: { type: 'string' } } } }] },
  problemCodes: [
    { code: 'VALIDATION_FAILED', status: 400, title: 'Request validation failed' },
    { code: 'LOGGING_STREAM_NOT_FOUND', status: 404, title: 'Stream not found' },
  ],
};

describe('renderLlmsTxt', () => {
  const text = renderLlmsTxt(desc);

  it('states the purpose, auth and docs links', () => {
    expect(text.startsWith('# Symbia Logging\n')).toBe(true);
    expect(text).toContain('> Logs, metrics and traces for every tenant.');
    expect(text).toContain('Bearer JWT or X-API-Key, verified by identity.');
    expect(text).toContain('/docs/openapi.json');
    expect(text).toContain('/docs/llms-full.txt');
  });

  it('has one line per endpoint with method, path, summary and auth', () => {
    expect(text).toContain('- POST /api/logs/:streamId/entries — Ingest log entries (auth: cap:logging.write)');
    expect(text).toContain('- GET /health/live — Liveness (auth: none)');
    expect(text.indexOf('POST /api/logs')).toBeLessThan(text.indexOf('GET /health/live')); // in the given order
  });

  it('names socket events', () => {
    expect(text).toContain('Client events: logs:subscribe.');
    expect(text).toContain('Server events: logs:entry.');
  });
});

describe('renderLlmsFullTxt', () => {
  const text = renderLlmsFullTxt(desc);

  it('documents parameters, body fields and responses of every endpoint', () => {
    expect(text).toContain('### POST /api/logs/:streamId/entries');
    expect(text).toContain('Operation: logs.entries.ingest');
    expect(text).toContain('Appends entries to a stream.');
    expect(text).toContain('Path parameters:\n  - streamId: string (uuid), required');
    expect(text).toContain('Request body (application/json):\n  - entries: array of object, ≤ 1000 items, required\n    - level: one of "info" | "error", required');
    expect(text).toContain('  - 202: Accepted\n      - accepted: integer');
    expect(text).toContain('### GET /health/live');
  });

  it('lists each endpoint\'s errors with statuses and the whole catalog', () => {
    expect(text).toContain('Errors (application/problem+json): VALIDATION_FAILED (400), LOGGING_STREAM_NOT_FOUND (404)');
    expect(text).toContain('## Error codes\n\n- 400 VALIDATION_FAILED — Request validation failed\n- 404 LOGGING_STREAM_NOT_FOUND — Stream not found');
  });

  it('documents socket events with their payloads', () => {
    expect(text).toContain('### Client → server\n\n- logs:subscribe');
    expect(text).toContain('- logs:entry — A new entry\n    - id: string');
  });

  it('omits the socket section when the service has none', () => {
    expect(renderLlmsFullTxt({ ...desc, socket: null })).not.toContain('Socket.IO events');
  });
});
