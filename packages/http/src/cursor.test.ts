import { describe, expect, it } from 'vitest';
import { CursorCodec } from './cursor.js';
import { HttpProblem } from './errors.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as HttpProblem).code;
  }
  return 'none';
};

describe('cursor codec', () => {
  const pos = { createdAt: '2026-01-01T00:00:00.000Z', id: 'b' };

  it('round-trips a position for the same query', () => {
    const c = new CursorCodec('secret-1');
    expect(c.decode('q', c.encode('q', pos))).toEqual({ createdAt: new Date(pos.createdAt), id: 'b' });
  });

  it('refuses tampered cursors, other queries, other secrets and old cursors', () => {
    let now = 1_000;
    const c = new CursorCodec('secret-1', () => now);
    const cursor = c.encode('q', pos);
    const [payload, sig] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ q: 'q', c: pos.createdAt, i: 'z', t: now })).toString('base64url')}.${sig}`;
    expect(code(() => c.decode('q', forged))).toBe('PAGINATION_CURSOR_INVALID');
    expect(code(() => c.decode('q', `${payload}.`))).toBe('PAGINATION_CURSOR_INVALID');
    expect(code(() => c.decode('q', 'garbage'))).toBe('PAGINATION_CURSOR_INVALID');
    expect(code(() => c.decode('other', cursor))).toBe('PAGINATION_CURSOR_INVALID');
    expect(code(() => new CursorCodec('secret-2').decode('q', cursor))).toBe('PAGINATION_CURSOR_INVALID');
    now += 24 * 60 * 60 * 1000 + 1;
    expect(code(() => c.decode('q', cursor))).toBe('PAGINATION_CURSOR_INVALID');
  });

  it('pages rows fetched with limit + 1', () => {
    const c = new CursorCodec('s');
    const rows = [3, 2, 1].map((n) => ({ id: String(n), createdAt: new Date(n * 1000) }));
    const page = c.page('q', rows, 2);
    expect(page.items.map((r) => r.id)).toEqual(['3', '2']);
    expect(c.decode('q', page.nextCursor!)).toEqual({ createdAt: new Date(2000), id: '2' });
    expect(c.page('q', rows, 3).nextCursor).toBeNull();
  });
});
