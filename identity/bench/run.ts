// `pnpm bench identity`: identity's figures next to baselines measured in the same run (bare
// Express for HTTP, raw bcrypt.compare for logins), as ratios. Asserts nothing.
//
// Environment: BENCH_DURATION_S (5), BENCH_WARMUP_S (1), BENCH_CONNECTIONS (50),
// BENCH_BCRYPT_COST (12), BENCH_LOGIN_CONNECTIONS (2 × threadpool), UV_THREADPOOL_SIZE (4),
// BENCH_DATABASE_URL (unset = embedded PGlite; set = a fresh database created on that server and
// dropped afterwards), BENCH_CPU_PROF=<dir> (write V8 CPU profiles of identity and the downstream app).
import {
  createFreshDatabase,
  envCount,
  firstMessage,
  formatTable,
  freePort,
  httpFigures,
  machineLines,
  measureBareExpress,
  measureHttp,
  problemsNote,
  redactUrl,
  requestJson,
  runBench,
  waitForHttp,
  type Env,
  type Figure,
} from '@symbia/bench';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildService, bundleEntry } from '../../scripts/lib/build-service.mjs';
import { prepareSecrets } from '../../scripts/lib/secrets.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const IDENTITY_DIR = join(HERE, '..');

/**
 * The operator's environment minus everything that would change what is measured (a database URL,
 * Redis, rate limits, secrets, ports, log level…); the benchmark sets those itself.
 */
function cleanEnv(): Env {
  const drop = /^(PORT|NODE_ENV|LOG_LEVEL|DATABASE_URL|DATABASE_POOL_MAX|REDIS_URL|TRUST_PROXY|CORS_ALLOWED_ORIGINS|SHUTDOWN_GRACE_MS|UV_THREADPOOL_SIZE|SESSION_SECRET|API_KEY_PEPPER|PASSWORD_PEPPER|CURSOR_SECRET|CREDENTIAL_ENCRYPTION_KEY|USE_MEMORY_DB|SYMBIA_.*|IDENTITY_.*|[A-Z]+_(PORT|SERVICE_URL|SERVICE_SECRET|DATABASE_URL|DATA_DIR|USE_MEMORY_DB))$/;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !drop.test(k)));
}

/** Sum of identity's `http_requests_total` for POST /api/auth/introspect. */
async function introspectionCount(identityUrl: string): Promise<number> {
  const text = await (await fetch(`${identityUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('http_requests_total{') && line.includes('route="/api/auth/introspect"') && line.includes('method="POST"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
    }
  }
  return total;
}

await runBench(async ({ settings, processes, onCleanup, progress }) => {
  const threadpool = envCount('UV_THREADPOOL_SIZE', 4);
  const bcryptCost = envCount('BENCH_BCRYPT_COST', 12);
  const loginConnections = envCount('BENCH_LOGIN_CONNECTIONS', 2 * threadpool);
  // bcrypt operations take ~0.1–1 s each: give the pipeline time to fill before counting.
  const slowWarmupS = Math.max(settings.warmupS, 2);
  const adminUrl = process.env.BENCH_DATABASE_URL?.trim() || undefined;
  const profileDir = process.env.BENCH_CPU_PROF?.trim() ? resolve(process.env.BENCH_CPU_PROF.trim()) : undefined;

  // The database first, so a wrong BENCH_DATABASE_URL fails before anything is measured.
  let engine = 'embedded PGlite (in memory)';
  let database: { url: string } | undefined;
  if (adminUrl) {
    const fresh = await createFreshDatabase(adminUrl);
    onCleanup(() => fresh.drop());
    database = fresh;
    engine = `PostgreSQL, fresh database ${fresh.name} on ${redactUrl(adminUrl)} (dropped afterwards)`;
  }
  const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];

  progress('building identity…');
  const entry = await buildService('identity');

  progress(`bare Express baseline: GET /, ${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s…`);
  const bare = await measureBareExpress(processes, settings);

  // --- identity on a free port, secrets generated, limits out of the way
  const env = cleanEnv();
  const port = await freePort();
  const identityUrl = `http://127.0.0.1:${port}`;
  Object.assign(env, {
    IDENTITY_PORT: String(port),
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '0',
    SYMBIA_RATE_LIMIT_SCALE: '1000000',
    UV_THREADPOOL_SIZE: String(threadpool),
    IDENTITY_BCRYPT_COST: String(bcryptCost),
    IDENTITY_BOOTSTRAP_ADMIN_EMAIL: 'bench-admin@example.com',
    IDENTITY_BOOTSTRAP_ADMIN_PASSWORD: `Bench-admin-${randomBytes(12).toString('hex')}`,
  });
  prepareSecrets(env, ['identity', 'logging']);
  if (database) env.IDENTITY_DATABASE_URL = database.url;

  progress(`starting identity on ${identityUrl} (${adminUrl ? 'PostgreSQL' : 'PGlite'}, bcrypt cost ${bcryptCost})…`);
  const identity = processes.start({ name: 'identity', entry, cwd: IDENTITY_DIR, env, nodeArgs: profileArgs });
  await waitForHttp(`${identityUrl}/health/ready`, identity);

  const email = `bench-${randomBytes(6).toString('hex')}@example.com`;
  const password = `Bench-user-${randomBytes(12).toString('hex')}`;
  const registered = await requestJson<{ token: string; user: { id: string } }>(`${identityUrl}/api/auth/user/register`, {
    body: { email, password, name: 'Bench User' },
    expect: 201,
  });
  const userToken = registered.token;
  const service = await requestJson<{ token: string }>(`${identityUrl}/api/auth/service/token`, {
    body: { serviceId: 'logging', secret: env.LOGGING_SERVICE_SECRET },
  });
  const introspectHeaders = { 'content-type': 'application/json', authorization: `Bearer ${service.token}` };
  const introspectBody = JSON.stringify({ token: userToken });
  const answer = await requestJson<{ active: boolean; sub?: string }>(`${identityUrl}/api/auth/introspect`, {
    headers: { authorization: `Bearer ${service.token}` },
    body: { token: userToken },
  });
  if (answer.active !== true || answer.sub !== registered.user.id) throw new Error('introspection of the bench user is not active');

  const load = { connections: settings.connections, warmupS: settings.warmupS, durationS: settings.durationS };

  progress('introspection, uncached: POST /api/auth/introspect on identity…');
  const introspect = await measureHttp({ ...load, url: `${identityUrl}/api/auth/introspect`, method: 'POST', headers: introspectHeaders, body: introspectBody });

  // --- downstream service authenticating through identity with the introspection cache
  const downPort = await freePort();
  const downUrl = `http://127.0.0.1:${downPort}`;
  // A saturated PGlite keeps working through its queue after the load stops; a database-touching
  // probe waits behind that backlog, so the next figure is not measured on a busy machine.
  await settle(identityUrl);
  progress(`starting the downstream app on ${downUrl}…`);
  // Bundled like a deployed service (node on plain JS), not run through the tsx loader.
  const downstreamEntry = await bundleEntry({ entry: join(HERE, 'downstream.ts'), outfile: join(HERE, 'dist', 'downstream.mjs') });
  const downstream = processes.start({
    name: 'downstream',
    entry: downstreamEntry,
    cwd: HERE,
    nodeArgs: profileArgs,
    env: { ...cleanEnv(), PORT: String(downPort), IDENTITY_URL: identityUrl, LOGGING_SERVICE_SECRET: env.LOGGING_SERVICE_SECRET, LOG_LEVEL: 'warn' },
  });
  await waitForHttp(`${downUrl}/health/ready`, downstream);
  const bearer = { authorization: `Bearer ${userToken}` };
  const who = await requestJson<{ id: string }>(`${downUrl}/api/whoami`, { headers: bearer });
  if (who.id !== registered.user.id) throw new Error(`downstream /api/whoami answered ${who.id}, expected ${registered.user.id}`);

  progress('introspection, cached verifier path: GET /api/whoami on the downstream app…');
  const before = await introspectionCount(identityUrl);
  const cached = await measureHttp({ ...load, url: `${downUrl}/api/whoami`, headers: bearer });
  const identityCalls = (await introspectionCount(identityUrl)) - before;
  await processes.stop(downstream);

  await settle(identityUrl);
  progress('GET /api/auth/me on identity…');
  const me = await measureHttp({ ...load, url: `${identityUrl}/api/auth/me`, headers: bearer });

  await settle(identityUrl);
  progress(`logins: POST /api/auth/login, ${loginConnections} connections, ${slowWarmupS} s warm-up + ${settings.durationS} s…`);
  const logins = await measureHttp({
    url: `${identityUrl}/api/auth/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    connections: loginConnections,
    warmupS: slowWarmupS,
    durationS: settings.durationS,
    timeoutS: 120,
  });
  await processes.stop(identity);

  progress(`raw bcrypt.compare baseline: cost ${bcryptCost}, ${loginConnections} at a time…`);
  const bcryptChild = processes.start({
    name: 'bcrypt-baseline',
    entry: join(HERE, 'bcrypt-baseline.ts'),
    cwd: HERE,
    ipc: true,
    env: {
      ...cleanEnv(),
      UV_THREADPOOL_SIZE: String(threadpool),
      BCRYPT_COST: String(bcryptCost),
      CONCURRENCY: String(loginConnections),
      WARMUP_S: String(slowWarmupS),
      DURATION_S: String(settings.durationS),
    },
  });
  const raw = await firstMessage<{ rate: number; countedRate: number; mean: number; p99: number; count: number }>(bcryptChild, (slowWarmupS + settings.durationS) * 1000 + 60_000);
  await processes.stop(bcryptChild);

  const figures: Figure[] = [
    { name: 'bare Express GET / req/s', value: bare.rps, unit: 'req/s', note: problemsNote(bare) },
    { name: 'bare Express GET / p99', value: bare.p99, unit: 'ms' },
    ...httpFigures('introspect, uncached', introspect, bare),
    ...httpFigures('introspect, cached (downstream)', cached, bare, { rps: { op: '>=', value: 0.6 }, p99: { op: '<=', value: 2 } }),
    ...httpFigures('GET /api/auth/me', me, bare),
    {
      name: `logins/s (bcrypt cost ${bcryptCost})`,
      value: logins.littleRps,
      unit: 'logins/s',
      baseline: raw.rate,
      baselineUnit: 'compare/s',
      goal: { op: '>=', value: 0.85 },
      note:
        problemsNote(logins) ??
        `${loginConnections} ÷ mean latency (${logins.mean.toFixed(0)} ms login, ${raw.mean.toFixed(0)} ms compare); ` +
          `counted: ${logins.requests} logins (${logins.rps.toFixed(2)}/s), ${raw.count} compares (${raw.countedRate.toFixed(2)}/s); ` +
          `p99 ${logins.p99.toFixed(0)} ms vs ${raw.p99.toFixed(0)} ms`,
    },
  ];

  const out = [
    '',
    ...machineLines({
      database: engine,
      load: `autocannon in the bench process; ${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s per HTTP figure`,
      logins: `${loginConnections} connections, ${slowWarmupS} s warm-up + ${settings.durationS} s; UV_THREADPOOL_SIZE=${threadpool} in identity and in the bcrypt baseline`,
    }),
    '',
    formatTable(figures),
    '',
    `Baselines: bare Express 5 hello-world (GET / → JSON) for every HTTP figure; raw bcrypt.compare for logins.`,
    "Logins and compares: rate = concurrency ÷ mean latency (Little's law); they complete in batches of the threadpool size, so a count over a few seconds is off by up to a batch.",
    `Cached path: identity answered ${identityCalls} introspection call(s) during the ${settings.warmupS + settings.durationS} s downstream run (${cached.requests} requests counted; the check request before it filled the cache).`,
    ...(profileDir ? [`CPU profiles of identity and the downstream app: ${profileDir} (open in Chrome DevTools or speedscope).`] : []),
    'Benchmarks assert nothing: a MISSED goal does not change the exit code.',
    '',
  ];
  process.stdout.write(out.join('\n'));
});

/** Wait until identity's database answers promptly again, then let the machine rest a second. */
async function settle(identityUrl: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const started = Date.now();
    const ok = await fetch(`${identityUrl}/health/ready`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.ok, () => false);
    if (ok && Date.now() - started < 50) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 1_000));
}
