import { describe, expect, it } from 'vitest';
import {
  EventType,
  EventTypePattern,
  isEventType,
  isEventTypePattern,
  matchesAnyEventTypePattern,
  matchesEventTypePattern,
} from './patterns.js';

describe('event types', () => {
  it.each(['a', 'message.new', 'A1:b_c-d.e', 'x'.repeat(128)])('accepts %s', (t) => {
    expect(isEventType(t)).toBe(true);
    expect(EventType.safeParse(t).success).toBe(true);
  });

  it.each(['', '.a', '-a', 'a b', 'a/b', 'é', 'x'.repeat(129), 'a*'])('refuses %j', (t) => {
    expect(isEventType(t)).toBe(false);
    expect(EventType.safeParse(t).success).toBe(false);
  });
});

describe('event type patterns', () => {
  it.each(['*', 'user.*', 'user.created', 'a.b.*'])('accepts %s', (p) => {
    expect(isEventTypePattern(p)).toBe(true);
    expect(EventTypePattern.safeParse(p).success).toBe(true);
  });

  it.each(['', '.*', 'user*', '*.created', 'user.*.x', '**', 'us er.*'])('refuses %j', (p) => {
    expect(isEventTypePattern(p)).toBe(false);
    expect(EventTypePattern.safeParse(p).success).toBe(false);
  });

  it.each([
    ['*', 'anything.at:all', true],
    ['user.created', 'user.created', true],
    ['user.created', 'user.Created', false],
    ['user.created', 'user.created.x', false],
    ['user.*', 'user.created', true],
    ['user.*', 'user.a.b.c', true],
    ['user.*', 'user', false],
    ['user.*', 'user.', true],
    ['user.*', 'users.created', false],
    ['user.*', 'User.created', false],
  ])('%s matches %s → %s', (pattern, type, expected) => {
    expect(matchesEventTypePattern(pattern, type)).toBe(expected);
  });

  it('matches when any pattern of a list matches', () => {
    expect(matchesAnyEventTypePattern(['a.b', 'user.*'], 'user.x')).toBe(true);
    expect(matchesAnyEventTypePattern(['a.b', 'user.*'], 'a.c')).toBe(false);
    expect(matchesAnyEventTypePattern([], 'a')).toBe(false);
  });
});
