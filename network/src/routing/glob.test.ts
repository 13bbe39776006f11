import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.js';

describe('globMatch', () => {
  it.each([
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'anything.at.all', true],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['abc', 'ABC', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['???', 'abc', true],
    ['???', 'ab', false],
    ['a*', 'a', true],
    ['a*', 'ba', false],
    ['*a', 'ba', true],
    ['*a', 'ab', false],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbcd', false],
    ['a**c', 'abc', true],
    ['*b*', 'abc', true],
    ['*b*d*', 'abcxd', true],
    ['*b*d*', 'adcb', false],
    ['a*b?d*e', 'axxbcdyye', true],
    ['*?', '', false],
    ['*?', 'x', true],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
    ['*aab', 'aaab', true],
    ['*a?a*', 'xxabbb', false],
    ['*a?a*', 'xxabax', true],
    ['user.*.created', 'user.42.created', true],
    ['user.*.created', 'user.created', false],
    ['h?llo', 'h😀llo', true],
    ['😀*', '😀x', true],
    ['*😀', 'a😀', true],
    ['?', '😀', true],
    ['??', '😀', false],
    ['a?*', 'a😀b', true],
  ])('%j vs %j → %s', (pattern, subject, expected) => {
    expect(globMatch(pattern, subject)).toBe(expected);
  });

  it('handles middle segments longer than one 32-bit word', () => {
    const seg = 'ab?'.repeat(30);
    const subject = `zz${'ab'.repeat(40)}${seg.replaceAll('?', 'c')}zz`;
    expect(globMatch(`*${seg}*`, subject)).toBe(true);
    expect(globMatch(`*${seg}x*`, subject)).toBe(false);
  });

  it('stays linear on patterns that make backtracking matchers quadratic', () => {
    const subject = 'a'.repeat(10_000);
    const anchored = `${'*a'.repeat(127)}*b`;
    const open = `${'*a'.repeat(126)}*b*`;
    const long = `*${'a'.repeat(254)}b*`;
    expect(anchored.length).toBe(256);
    const started = performance.now();
    expect(globMatch(anchored, subject)).toBe(false);
    expect(globMatch(open, subject)).toBe(false);
    expect(globMatch(long, subject)).toBe(false);
    expect(globMatch(`${'*a'.repeat(127)}*`, subject)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
