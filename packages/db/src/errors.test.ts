import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailableError } from './errors.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailableError', () => {
  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['admin shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['starting up', withCode('the database system is starting up', '57P03')],
    ['connection exception class', withCode('connection failure', '08006')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pglite closed', new Error('PGlite is closed')],
    ['pool ended', new Error('Cannot use a pool after calling end on the pool')],
  ])('is true for %s', (_name, err) => {
    expect(isDatabaseUnavailableError(err)).toBe(true);
  });

  it('looks through drizzle-style wrappers and AggregateErrors', () => {
    const wrapped = new Error('Failed query: select 1', { cause: withCode('refused', 'ECONNREFUSED') });
    expect(isDatabaseUnavailableError(wrapped)).toBe(true);
    const aggregate = new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')], '');
    expect(isDatabaseUnavailableError(new Error('outer', { cause: aggregate }))).toBe(true);
  });

  it.each([
    ['unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['missing table', withCode('relation "x" does not exist', '42P01')],
    ['syntax', withCode('syntax error at or near "selec"', '42601')],
    ['plain error', new Error('boom')],
    ['non-error', 'ECONNREFUSED'],
    ['null', null],
  ])('is false for %s', (_name, err) => {
    expect(isDatabaseUnavailableError(err)).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailableError(a)).toBe(false);
  });
});
