import { ProcessGroup } from './processes.js';
import { benchSettings, type BenchSettings } from './settings.js';

export interface BenchContext {
  settings: BenchSettings;
  processes: ProcessGroup;
  /** Runs after every child process has stopped, last registered first (drop a database…). */
  onCleanup(fn: () => Promise<void> | void): void;
  /** A progress line (stderr, so stdout holds only the report). */
  progress(line: string): void;
}

/**
 * The frame of a service's bench/run.ts: settings from the environment, one process group, and
 * cleanup that runs however the run ends (done, error, Ctrl-C, SIGTERM), so no child outlives the
 * benchmark. Exits 0 when the body finished, whatever the figures (a benchmark asserts nothing),
 * 1 when the harness itself failed, 130/143 when interrupted.
 */
export async function runBench(body: (ctx: BenchContext) => Promise<void>): Promise<never> {
  const started = Date.now();
  const processes = new ProcessGroup();
  const cleanups: Array<() => Promise<void> | void> = [];
  const progress = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await processes.stopAll();
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (err) {
          progress(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })());

  process.on('exit', () => processes.killAllNow());
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(sig, () => {
      if (cleaning) {
        processes.killAllNow();
        process.exit(code);
      }
      progress(`${sig}: stopping ${processes.size} child process(es)…`);
      void cleanup().finally(() => {
        progress('interrupted; every child process stopped');
        process.exit(code);
      });
    });
  }

  let settings: BenchSettings;
  let code = 0;
  try {
    settings = benchSettings();
    await body({ settings, processes, onCleanup: (fn) => cleanups.push(fn), progress });
  } catch (err) {
    code = 1;
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  await cleanup();
  return process.exit(code);
}
