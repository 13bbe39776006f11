import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpProblem } from './errors.js';

const MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface CursorPosition {
  /** ISO timestamp of the last item of the page. */
  createdAt: string;
  id: string;
}

/**
 * Opaque keyset cursors (outline §1.7): the position, the time it was issued and the query it
 * belongs to, HMAC-signed with CURSOR_SECRET. A cursor replayed on another query, edited, or older
 * than 24 h is refused rather than silently returning a wrong page.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string, private readonly now: () => number = Date.now) {
    this.key = Buffer.from(secret, 'utf8');
  }

  private sign(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }

  encode(queryKey: string, position: CursorPosition): string {
    const payload = Buffer.from(JSON.stringify({ q: queryKey, c: position.createdAt, i: position.id, t: this.now() })).toString('base64url');
    return `${payload}.${this.sign(payload).toString('base64url')}`;
  }

  decode(queryKey: string, cursor: string): { createdAt: Date; id: string } {
    const invalid = () => new HttpProblem('PAGINATION_CURSOR_INVALID', { detail: 'The cursor is invalid, expired or belongs to another query' });
    const dot = cursor.indexOf('.');
    if (dot <= 0) throw invalid();
    const payload = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = this.sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let data: { q?: unknown; c?: unknown; i?: unknown; t?: unknown };
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (data.q !== queryKey || typeof data.c !== 'string' || typeof data.i !== 'string' || typeof data.t !== 'number') throw invalid();
    if (this.now() - data.t > MAX_AGE_MS) throw invalid();
    const createdAt = new Date(data.c);
    if (Number.isNaN(createdAt.getTime())) throw invalid();
    return { createdAt, id: data.i };
  }

  /** Build `{items, nextCursor}` from a page fetched with limit + 1 rows. */
  page<T extends { createdAt: Date; id: string }>(queryKey: string, rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > limit && last ? this.encode(queryKey, { createdAt: last.createdAt.toISOString(), id: last.id }) : null;
    return { items, nextCursor };
  }
}
