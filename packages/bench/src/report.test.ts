import { describe, expect, it } from 'vitest';
import { formatTable, httpFigures, problemsNote, type Measured } from './report.js';

const measured = (rps: number, p99: number, extra: Partial<Measured> = {}): Measured => ({
  rps,
  p99,
  requests: 1000,
  non2xx: 0,
  statuses: { 200: 1000 },
  errors: 0,
  ...extra,
});

describe('formatTable', () => {
  it('prints value, baseline, ratio and whether the goal is met', () => {
    const table = formatTable(httpFigures('cached', measured(6_000, 30), measured(10_000, 10), { rps: { op: '>=', value: 0.6 }, p99: { op: '<=', value: 2 } }));
    const [header, , rps, p99] = table.split('\n');
    expect(header).toMatch(/^figure\s+value\s+baseline\s+ratio\s+goal$/);
    expect(rps).toMatch(/cached req\/s\s+6,000 req\/s\s+10,000 req\/s\s+0\.60\s+≥ 0\.60 met/);
    expect(p99).toMatch(/cached p99\s+30\.0 ms\s+10\.0 ms\s+3\.00\s+≤ 2\.00 MISSED/);
  });

  it('leaves ratio and goal empty for a baseline row', () => {
    const table = formatTable([{ name: 'bare', value: 1234.4, unit: 'req/s' }]);
    expect(table.split('\n')[2]).toMatch(/^bare\s+1,234 req\/s$/);
  });
});

describe('problemsNote', () => {
  it('is empty for a clean run', () => {
    expect(problemsNote(measured(1, 1))).toBeUndefined();
  });

  it('names non-2xx statuses and connection errors, which make a figure meaningless', () => {
    const note = problemsNote(measured(1, 1, { non2xx: 5, statuses: { 200: 995, 429: 5 }, errors: 2 }));
    expect(note).toContain('5 of 1000 answers were not 2xx (5×429)');
    expect(note).toContain('2 connection errors/timeouts');
  });
});
