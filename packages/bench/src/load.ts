import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Request body, sent with every request (set `content-type` in `headers`). */
  body?: string;
  connections: number;
  /** Seconds of load whose responses are discarded (connections stay open into the measured part). */
  warmupS: number;
  durationS: number;
  /** Per-request timeout in seconds (default 10; raise it for deliberately slow work like bcrypt). */
  timeoutS?: number;
}

export interface LoadResult {
  /** Completed responses per second over the measured part. */
  rps: number;
  /** Latency percentiles of the measured responses, milliseconds. */
  p50: number;
  p99: number;
  /** Mean latency of the measured responses, milliseconds. */
  mean: number;
  /**
   * Throughput by Little's law, `connections / mean latency`: every connection always has one request
   * outstanding, so this holds exactly in steady state. Prefer it for slow operations (bcrypt), where
   * completions arrive in batches of the threadpool size and counting them in a short window is off
   * by up to a whole batch.
   */
  littleRps: number;
  /** Responses counted. */
  requests: number;
  /** Measured responses whose status was not 2xx. */
  non2xx: number;
  /** Status → count of the measured responses. */
  statuses: Record<number, number>;
  /** Connection errors and timeouts over the whole run, warm-up included. */
  errors: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * One continuous autocannon run of `warmupS + durationS`: responses completed during the warm-up
 * are ignored, the rest give throughput and latency percentiles. Keeping one run (instead of a
 * warm-up run then a measured run) means the measured part starts in steady state, with every
 * connection already busy, which matters for slow operations where a cold start would hide a
 * whole latency's worth of completions.
 */
export function measureHttp(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(16_384);
    let count = 0;
    let non2xx = 0;
    const statuses: Record<number, number> = {};
    let measureFrom = Number.POSITIVE_INFINITY;
    const instance = autocannon(
      {
        url: options.url,
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        connections: options.connections,
        duration: options.warmupS + options.durationS,
        timeout: options.timeoutS ?? 10,
      },
      (err: unknown, result: autocannon.Result) => {
        const end = performance.now();
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const seconds = (end - measureFrom) / 1000;
        const sorted = latencies.subarray(0, count).sort();
        const mean = count > 0 ? sorted.reduce((a, b) => a + b, 0) / count : Number.NaN;
        resolve({
          rps: seconds > 0 ? count / seconds : 0,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          mean,
          littleRps: count > 0 ? (options.connections * 1000) / mean : 0,
          requests: count,
          non2xx,
          statuses,
          errors: result.errors,
        });
      },
    );
    instance.on('start', () => {
      measureFrom = performance.now() + options.warmupS * 1000;
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (performance.now() < measureFrom) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode >= 300) non2xx++;
    });
  });
}
