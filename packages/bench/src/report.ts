import { cpus, totalmem } from 'node:os';

export type Goal = { op: '>=' | '<='; value: number };

/**
 * One line of the table. `ratio` is `value / baseline`; `goal` applies to the ratio. Benchmarks
 * assert nothing: a missed goal is printed, never an exit code.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  /** Baseline's unit when it differs (`compare/s` against `logins/s`). */
  baselineUnit?: string;
  goal?: Goal;
  /** Printed after the row: non-2xx answers, what the baseline was… */
  note?: string;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function machineLines(extra: Record<string, string> = {}): string[] {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  const info: Record<string, string> = {
    machine: `${list.length} cores (${model}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}/${process.arch}`,
    node: process.version,
    ...extra,
  };
  const width = Math.max(...Object.keys(info).map((k) => k.length));
  return Object.entries(info).map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

function goalText(goal: Goal | undefined, ratio: number | undefined): string {
  if (!goal) return '';
  const text = `${goal.op === '>=' ? '≥' : '≤'} ${goal.value.toFixed(2)}`;
  if (ratio === undefined || !Number.isFinite(ratio)) return text;
  const met = goal.op === '>=' ? ratio >= goal.value : ratio <= goal.value;
  return `${text} ${met ? 'met' : 'MISSED'}`;
}

/** The table: figure, value, baseline, ratio, goal; aligned for a terminal. */
export function formatTable(figures: Figure[]): string {
  const header = ['figure', 'value', 'baseline', 'ratio', 'goal'];
  const rows = figures.map((f) => {
    const ratio = f.baseline !== undefined && f.baseline !== 0 ? f.value / f.baseline : undefined;
    return [
      f.name,
      `${formatNumber(f.value)} ${f.unit}`,
      f.baseline === undefined ? '' : `${formatNumber(f.baseline)} ${f.baselineUnit ?? f.unit}`,
      ratio === undefined ? '' : ratio.toFixed(2),
      goalText(f.goal, ratio),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([1, 2, 3]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  figures.forEach((f, i) => {
    out.push(line(rows[i]!));
    if (f.note) out.push(`    ${f.note}`);
  });
  return out.join('\n');
}

/** What a LoadResult needs to become rows. */
export interface Measured {
  rps: number;
  p99: number;
  requests: number;
  non2xx: number;
  statuses: Record<number, number>;
  errors: number;
}

/** Non-2xx answers and connection errors, which make a figure meaningless, as a row note. */
export function problemsNote(r: Measured): string | undefined {
  const parts: string[] = [];
  if (r.non2xx > 0) {
    const codes = Object.entries(r.statuses)
      .filter(([s]) => Number(s) < 200 || Number(s) >= 300)
      .map(([s, n]) => `${n}×${s}`);
    parts.push(`${r.non2xx} of ${r.requests} answers were not 2xx (${codes.join(', ')})`);
  }
  if (r.errors > 0) parts.push(`${r.errors} connection errors/timeouts`);
  if (r.requests === 0) parts.push('no response completed in the measured window');
  return parts.length > 0 ? `! ${parts.join('; ')}` : undefined;
}

/** The usual pair of rows of an HTTP figure: req/s against the baseline's, p99 against the baseline's. */
export function httpFigures(
  name: string,
  r: Measured,
  baseline: Measured,
  goals: { rps?: Goal; p99?: Goal } = {},
): Figure[] {
  return [
    { name: `${name} req/s`, value: r.rps, unit: 'req/s', baseline: baseline.rps, goal: goals.rps, note: problemsNote(r) },
    { name: `${name} p99`, value: r.p99, unit: 'ms', baseline: baseline.p99, goal: goals.p99 },
  ];
}
