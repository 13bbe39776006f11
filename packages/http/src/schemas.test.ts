import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boundedString, emailSchema, isoDateTime, pageLimit, paginationQuery, uuidParam } from './schemas.js';

describe('paginationQuery', () => {
  it('defaults limit to 50 and leaves cursor optional', () => {
    expect(paginationQuery.parse({})).toEqual({ limit: 50 });
  });

  it('accepts integers from query strings and clamps above the maximum', () => {
    expect(paginationQuery.parse({ limit: '1' }).limit).toBe(1);
    expect(paginationQuery.parse({ limit: '200' }).limit).toBe(200);
    expect(paginationQuery.parse({ limit: '201' }).limit).toBe(200);
    expect(paginationQuery.parse({ limit: '100000' }).limit).toBe(200);
    expect(paginationQuery.parse({ limit: 20 }).limit).toBe(20);
  });

  it.each(['0', '-1', '1.5', 'abc', '', ['1', '2']])('rejects limit=%j', (limit) => {
    const result = paginationQuery.safeParse({ limit });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['limit']);
  });

  it('bounds the cursor length', () => {
    expect(paginationQuery.parse({ cursor: 'x'.repeat(2048) }).cursor).toHaveLength(2048);
    expect(paginationQuery.safeParse({ cursor: 'x'.repeat(2049) }).success).toBe(false);
  });

  it('ignores unknown query parameters and can be extended', () => {
    const q = paginationQuery.extend({ status: z.enum(['open', 'closed']).optional() });
    expect(q.parse({ status: 'open', other: 'x' })).toEqual({ limit: 50, status: 'open' });
  });

  it('supports another default and maximum', () => {
    const limit = pageLimit({ defaultLimit: 10, max: 20 });
    expect(limit.parse(undefined)).toBe(10);
    expect(limit.parse('50')).toBe(20);
  });

  it('documents the limit as an integer with its bounds', () => {
    const json = z.toJSONSchema(paginationQuery, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Record<string, unknown>> };
    expect(json.properties.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
    expect(json.properties.cursor).toMatchObject({ type: 'string', maxLength: 2048 });
  });
});

describe('uuidParam', () => {
  it('validates the named parameter as a UUID', () => {
    const params = uuidParam('orgId');
    expect(params.parse({ orgId: '6f1c8e5e-6d4b-4a61-9a0e-1f2b3c4d5e6f' })).toEqual({ orgId: '6f1c8e5e-6d4b-4a61-9a0e-1f2b3c4d5e6f' });
    expect(params.safeParse({ orgId: 'not-a-uuid' }).success).toBe(false);
  });
});

describe('boundedString', () => {
  it('trims before checking the bounds', () => {
    const name = boundedString(1, 5);
    expect(name.parse('  Ada  ')).toBe('Ada');
    expect(name.safeParse('   ').success).toBe(false);
    expect(name.safeParse('abcdef').success).toBe(false);
  });
});

describe('emailSchema', () => {
  it('trims and lower-cases before the format check', () => {
    expect(emailSchema.parse('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(emailSchema.safeParse('not an email').success).toBe(false);
    expect(emailSchema.safeParse(`${'a'.repeat(250)}@b.co`).success).toBe(false);
  });

  it('is documented as an email string', () => {
    expect(z.toJSONSchema(emailSchema, { io: 'input' })).toMatchObject({ type: 'string', format: 'email', maxLength: 254 });
  });
});

describe('isoDateTime', () => {
  it('accepts UTC and offset timestamps, rejects other text', () => {
    expect(isoDateTime.safeParse('2025-05-01T12:00:00.000Z').success).toBe(true);
    expect(isoDateTime.safeParse('2025-05-01T12:00:00+02:00').success).toBe(true);
    expect(isoDateTime.safeParse('yesterday').success).toBe(false);
  });
});
