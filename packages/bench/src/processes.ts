import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Env } from './types.js';

const KEEP_LINES = 40;

/** `--import` value that lets a child run TypeScript; resolved here so any cwd works. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface StartOptions {
  /** Shown in messages: `identity`, `bare-express`. */
  name: string;
  /** A `.js`/`.mjs` file, or a `.ts` file (run through tsx). */
  entry: string;
  cwd?: string;
  /** The child's whole environment (not merged with this process's). */
  env: Env;
  /** Open an IPC channel (`process.send` in the child). */
  ipc?: boolean;
  /** Extra Node flags (`--cpu-prof`…), before the entry. */
  nodeArgs?: string[];
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Set once the process has exited. */
  exited?: { code: number | null; signal: NodeJS.Signals | null };
  /** The last lines the child wrote to stdout/stderr, for error messages. */
  tail(): string;
  /** Resolves on exit (immediately if already gone). */
  waitExit(): Promise<void>;
}

/**
 * Every child process of one benchmark run. Children get their own process group so a terminal's
 * Ctrl-C reaches only the benchmark, which then stops each of them once; `stopAll` waits for every
 * exit, and `killAllNow` is the synchronous last resort of the `exit` handler.
 */
export class ProcessGroup {
  private readonly children = new Set<Child>();

  start(options: StartOptions): Child {
    const args = options.entry.endsWith('.ts') ? ['--import', TSX, options.entry] : [options.entry];
    const proc = spawn(process.execPath, ['--enable-source-maps', ...(options.nodeArgs ?? []), ...args], {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const lines: string[] = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        lines.push(line);
        if (lines.length > KEEP_LINES) lines.shift();
      }
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const exit = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        child.exited = { code, signal };
        this.children.delete(child);
        resolve();
      });
      proc.once('error', (err) => {
        lines.push(`spawn failed: ${err.message}`);
        child.exited ??= { code: null, signal: null };
        this.children.delete(child);
        resolve();
      });
    });
    const child: Child = {
      name: options.name,
      process: proc,
      tail: () => lines.join('\n'),
      waitExit: () => exit,
    };
    this.children.add(child);
    return child;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
  async stop(child: Child, graceMs = 5_000): Promise<void> {
    if (child.exited) return;
    signal(child, 'SIGTERM');
    const timer = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
    await child.waitExit();
    clearTimeout(timer);
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all([...this.children].map((c) => this.stop(c, graceMs)));
  }

  killAllNow(): void {
    for (const c of this.children) signal(c, 'SIGKILL');
  }

  get size(): number {
    return this.children.size;
  }
}

function signal(child: Child, sig: NodeJS.Signals): void {
  if (child.exited) return;
  try {
    child.process.kill(sig);
  } catch {
    /* already gone */
  }
}

/** Resolves with the first IPC message of `child`, or rejects if it exits first. */
export function firstMessage<T>(child: Child, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${child.name} sent no result within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const onMessage = (m: unknown) => done(undefined, m as T);
    const onExit = () => done(new Error(`${child.name} exited (${describeExit(child)}) before sending its result:\n${child.tail()}`));
    function done(err?: Error, value?: T) {
      clearTimeout(timer);
      child.process.off('message', onMessage);
      child.process.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    }
    child.process.on('message', onMessage);
    child.process.once('exit', onExit);
  });
}

export function describeExit(child: Child): string {
  if (!child.exited) return 'running';
  return child.exited.signal ? `signal ${child.exited.signal}` : `code ${child.exited.code}`;
}
