import { build } from 'esbuild';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './services.mjs';

/**
 * Bundle one service into <svc>/dist/main.js. Our own @symbia/* packages are TypeScript sources
 * and are bundled in; every third-party package stays external and is loaded from node_modules, so
 * native (bcrypt) and WASM (PGlite) packages keep their own file layout.
 */
export async function buildService(id) {
  const dir = join(ROOT, id);
  const outdir = join(dir, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  await build({
    entryPoints: [join(dir, 'src', 'main.ts')],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: 'warning',
    define: { 'process.env.SYMBIA_BUILD_VERSION': JSON.stringify(pkg.version) },
    plugins: [
      {
        name: 'externalize-third-party',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('@symbia/')) return undefined;
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const migrations = join(dir, 'src', 'db', 'migrations');
  if (existsSync(migrations)) cpSync(migrations, join(outdir, 'db', 'migrations'), { recursive: true });
  const assets = join(dir, 'src', 'assets');
  if (existsSync(assets)) cpSync(assets, join(outdir, 'assets'), { recursive: true });
  return join(outdir, 'main.js');
}
