import { describe, expect, it } from 'vitest';
import { schemaFieldLines, summarizeSchema } from './json-schema.js';

describe('summarizeSchema', () => {
  it('describes types with formats, bounds, enums and defaults', () => {
    expect(summarizeSchema({ type: 'string', format: 'uuid' })).toBe('string (uuid)');
    expect(summarizeSchema({ type: 'string', minLength: 1, maxLength: 100 })).toBe('string, 1–100 chars');
    expect(summarizeSchema({ type: 'integer', minimum: 1, maximum: 200, default: 50 })).toBe('integer, 1–200, default 50');
    expect(summarizeSchema({ type: 'string', enum: ['a', 'b'] })).toBe('one of "a" | "b"');
    expect(summarizeSchema({ type: 'string', const: 'k' })).toBe('constant "k"');
    expect(summarizeSchema({ type: ['string', 'null'] })).toBe('string or null');
    expect(summarizeSchema({ type: 'array', items: { type: 'string' }, maxItems: 20 })).toBe('array of string, ≤ 20 items');
    expect(summarizeSchema({ type: 'object', additionalProperties: { type: 'number' } })).toBe('map of string to number');
    expect(summarizeSchema({ anyOf: [{ type: 'string' }, { type: 'integer' }] })).toBe('string | integer');
    expect(summarizeSchema({})).toBe('any');
    expect(summarizeSchema({ type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 })).toBe('integer');
  });
});

describe('schemaFieldLines', () => {
  it('lists fields with required flags and descriptions, nesting objects and arrays of objects', () => {
    const lines = schemaFieldLines({
      type: 'object',
      required: ['name', 'entries'],
      properties: {
        name: { type: 'string', maxLength: 10, description: 'Display name' },
        tags: { type: 'array', items: { type: 'string' } },
        entries: {
          type: 'array',
          items: { type: 'object', required: ['level'], properties: { level: { type: 'string', enum: ['info', 'warn'] } } },
        },
      },
    });
    expect(lines).toEqual([
      '- name: string, ≤ 10 chars, required — Display name',
      '- tags: array of string',
      '- entries: array of object, required',
      '  - level: one of "info" | "warn", required',
    ]);
  });

  it('follows local $defs references and stops on recursion', () => {
    const lines = schemaFieldLines({
      type: 'object',
      properties: { tree: { $ref: '#/$defs/Node' } },
      $defs: {
        Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } } },
      },
    });
    expect(lines[0]).toBe('- tree: object');
    expect(lines).toContain('  - name: string');
    expect(lines.length).toBeLessThan(10);
  });

  it('describes a value without named fields on one line', () => {
    expect(schemaFieldLines({ type: 'string' })).toEqual(['- string']);
  });

  it('lists the items of a top-level array', () => {
    const lines = schemaFieldLines({ type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } });
    expect(lines).toEqual(['- array of object, each:', '  - id: string']);
  });
});
