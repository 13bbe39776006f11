import { build } from 'esbuild';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ROOT } from './services.mjs';

/**
 * Bundle one service into <svc>/dist/main.js. Our own @symbia/* packages are TypeScript sources
 * and are bundled in; every third-party package stays external and is loaded from node_modules, so
 * native (bcrypt) and WASM (PGlite) packages keep their own file layout.
 *
 * pnpm gives each package only its own dependencies, so `@electric-sql/pglite` (a dependency of
 * @symbia/db) is not resolvable from identity/dist. Each external import is therefore resolved
 * where it was written and emitted as a path relative to the bundle.
 */
export async function buildService(id) {
  const dir = join(ROOT, id);
  const outdir = join(dir, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  await bundleEntry({ entry: join(dir, 'src', 'main.ts'), outfile: join(outdir, 'main.js'), version: pkg.version });
  const migrations = join(dir, 'src', 'db', 'migrations');
  if (existsSync(migrations)) cpSync(migrations, join(outdir, 'db', 'migrations'), { recursive: true });
  const assets = join(dir, 'src', 'assets');
  if (existsSync(assets)) cpSync(assets, join(outdir, 'assets'), { recursive: true });
  return join(outdir, 'main.js');
}

/** Bundle any TypeScript entry the way services are bundled (benchmarks run their helpers so). */
export async function bundleEntry({ entry, outfile, version = '0.0.0' }) {
  const outdir = dirname(outfile);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: 'warning',
    define: { 'process.env.SYMBIA_BUILD_VERSION': JSON.stringify(version) },
    plugins: [
      {
        name: 'externalize-third-party',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.path.startsWith('@symbia/') || args.pluginData?.resolving) return undefined;
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { resolving: true } });
            if (found.errors.length > 0 || !found.path || !found.path.includes(`${sep}node_modules${sep}`)) {
              return { path: args.path, external: true };
            }
            let rel = relative(outdir, found.path).split(sep).join('/');
            if (!rel.startsWith('.')) rel = `./${rel}`;
            return { path: rel, external: true };
          });
        },
      },
    ],
  });
  return outfile;
}
