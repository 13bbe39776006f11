import { describe, expect, it } from 'vitest';
import { toJsonSafe } from './export.js';

describe('toJsonSafe', () => {
  it('turns driver values into JSON without loss', () => {
    const row = {
      id: 1,
      big: 9007199254740993n,
      at: new Date('2024-01-02T03:04:05.678Z'),
      bin: Buffer.from([1, 2, 255]),
      raw: new Uint8Array([104, 105]),
      nested: { when: [new Date(0)], ok: true, none: null },
      nan: Number.NaN,
    };
    expect(toJsonSafe(row)).toEqual({
      id: 1,
      big: '9007199254740993',
      at: '2024-01-02T03:04:05.678Z',
      bin: 'AQL/',
      raw: 'aGk=',
      nested: { when: ['1970-01-01T00:00:00.000Z'], ok: true, none: null },
      nan: 'NaN',
    });
  });

  it('encodes only the viewed bytes of a Buffer slice', () => {
    const pool = Buffer.from('xxhixx');
    expect(toJsonSafe(pool.subarray(2, 4))).toBe('aGk=');
  });
});
