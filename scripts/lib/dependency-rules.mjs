import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { SERVICE_TABLE } from './services.mjs';

const SERVICE_IDS = SERVICE_TABLE.map((s) => s.id);
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

function* sourceFiles(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield full;
  }
}

/** Which top-level area a path belongs to: a service id, `packages`, or something else. */
function areaOf(root, file) {
  const top = relative(root, file).split(sep)[0];
  return SERVICE_IDS.includes(top) ? top : top === 'packages' ? 'packages' : undefined;
}

/**
 * The direction rules of ARCHITECTURE.md §2: a service never imports another service's folder (or
 * its `@symbia/<svc>-service` package), and `packages/*` never import a service at all.
 */
export function findDirectionViolations(root) {
  const violations = [];
  for (const area of [...SERVICE_IDS, 'packages']) {
    for (const file of sourceFiles(join(root, area))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3];
        let target;
        const pkg = /^@symbia\/([a-z]+)-service(\/|$)/.exec(spec);
        if (pkg) target = pkg[1];
        else if (spec.startsWith('.')) target = areaOf(root, resolve(file, '..', spec));
        if (!target || target === 'packages' || target === area) continue;
        if (SERVICE_IDS.includes(target)) {
          violations.push({ file: relative(root, file), import: spec, rule: area === 'packages' ? 'package imports a service' : `${area} imports ${target}` });
        }
      }
    }
  }
  return violations;
}
