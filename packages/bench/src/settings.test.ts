import { describe, expect, it } from 'vitest';
import { benchSettings, envCount } from './settings.js';

describe('benchSettings', () => {
  it('defaults to 5 s measured after 1 s of warm-up at 50 connections', () => {
    expect(benchSettings({})).toEqual({ durationS: 5, warmupS: 1, connections: 50 });
  });

  it('reads BENCH_DURATION_S, BENCH_WARMUP_S (zero allowed) and BENCH_CONNECTIONS', () => {
    expect(benchSettings({ BENCH_DURATION_S: '2.5', BENCH_WARMUP_S: '0', BENCH_CONNECTIONS: '8' })).toEqual({ durationS: 2.5, warmupS: 0, connections: 8 });
  });

  it.each([
    ['BENCH_DURATION_S', 'abc'],
    ['BENCH_DURATION_S', '0'],
    ['BENCH_WARMUP_S', '-1'],
    ['BENCH_CONNECTIONS', '1.5'],
    ['BENCH_CONNECTIONS', '0'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => benchSettings({ [name]: value })).toThrow(name);
  });

  it('envCount takes whole positive numbers only', () => {
    expect(envCount('X', 4, {})).toBe(4);
    expect(envCount('X', 4, { X: '12' })).toBe(12);
    expect(() => envCount('X', 4, { X: '2.5' })).toThrow('X');
  });
});
