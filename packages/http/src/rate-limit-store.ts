import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Hits counted in the current fixed window of one key. */
export interface WindowCount {
  count: number;
  /** Epoch ms at which the window ends and the count starts over. */
  resetAt: number;
}

/**
 * Fixed-window counters. A window starts at a key's first hit and lasts `windowMs`; keys arrive
 * already namespaced and hashed by the limiter, so stores never see emails or IPs.
 */
export interface RateLimitStore {
  increment(key: string, windowMs: number): Promise<WindowCount>;
  /** The current window without counting a hit; undefined when the key has no live window. */
  get(key: string): Promise<WindowCount | undefined>;
  reset(key: string): Promise<void>;
  close?(): Promise<void>;
}

export interface MemoryRateLimitStoreOptions {
  /** Hard cap on tracked keys; the oldest windows are dropped first when it is reached. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * Per-process counters. Expired windows are swept lazily (at most once a second, no timer to keep
 * the process alive) and the key count is capped, so an attacker rotating keys cannot grow memory.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, WindowCount>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private nextSweep = 0;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.windows.size;
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.now();
    this.sweep(now);
    let current = this.windows.get(key);
    if (!current || current.resetAt <= now) {
      if (current) this.windows.delete(key);
      while (this.windows.size >= this.maxKeys) {
        const oldest = this.windows.keys().next().value;
        if (oldest === undefined) break;
        this.windows.delete(oldest);
      }
      current = { count: 0, resetAt: now + windowMs };
      // Re-inserted keys move to the end of the Map, which keeps insertion order = window age.
      this.windows.set(key, current);
    }
    current.count += 1;
    return { ...current };
  }

  async get(key: string): Promise<WindowCount | undefined> {
    const current = this.windows.get(key);
    if (!current || current.resetAt <= this.now()) return undefined;
    return { ...current };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 1_000;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}

// INCR and the expiry in one script: a crash between them cannot leave a counter without a TTL.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

export interface RedisRateLimitStoreOptions {
  /** Key prefix; default `symbia:rl:`. Tests use their own to stay isolated. */
  prefix?: string;
  /** Close the client on `close()`: true when the store created it. */
  ownsClient?: boolean;
}

/** Counters shared by every replica of a service through Redis. */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateLimitStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'symbia:rl:';
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const reply = (await this.redis.eval(INCREMENT_SCRIPT, 1, this.prefix + key, String(windowMs))) as [number, number];
    const [count, ttl] = reply;
    return { count: Number(count), resetAt: Date.now() + Number(ttl) };
  }

  async get(key: string): Promise<WindowCount | undefined> {
    const result = await this.redis.multi().get(this.prefix + key).pttl(this.prefix + key).exec();
    if (!result) return undefined;
    const [[getErr, raw], [ttlErr, ttl]] = result as [[Error | null, string | null], [Error | null, number]];
    if (getErr) throw getErr;
    if (ttlErr) throw ttlErr;
    if (raw === null || ttl < 0) return undefined;
    return { count: Number(raw), resetAt: Date.now() + ttl };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Redis when `REDIS_URL` is set (limits hold across replicas), memory otherwise. The client fails
 * fast instead of queueing while Redis is away, so the limiter can fail open promptly.
 */
export function createRateLimitStore(env: Readonly<Record<string, string | undefined>>, logger?: Logger): RateLimitStore {
  const url = env.REDIS_URL?.trim();
  if (!url) return new MemoryRateLimitStore();
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
  let lastWarn = 0;
  redis.on('error', (err: Error) => {
    // ioredis retries on its own; one warning per 30 s is enough to notice without flooding.
    if (Date.now() - lastWarn < 30_000) return;
    lastWarn = Date.now();
    logger?.warn({ err: { message: err.message } }, 'rate limit store: redis error');
  });
  return new RedisRateLimitStore(redis, { ownsClient: true });
}
