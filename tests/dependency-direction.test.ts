import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { findDirectionViolations } from '../scripts/lib/dependency-rules.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('dependency direction', () => {
  it('holds for this repository', () => {
    expect(findDirectionViolations(ROOT)).toEqual([]);
  });

  const tmp = mkdtempSync(join(tmpdir(), 'symbia-deps-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(tmp, path)), { recursive: true });
    writeFileSync(join(tmp, path), text);
  };

  it('catches a service reaching into another service and a package importing a service', () => {
    write('identity/src/ok.ts', "import { x } from './local.js';\nimport { y } from '@symbia/http';\n");
    write('catalog/src/bad.ts', "import { users } from '../../identity/src/db/schema.js';\n");
    write('catalog/src/bad2.ts', "export { a } from '@symbia/logging-service/src/x.js';\n");
    write('packages/http/src/bad.ts', "const m = await import('../../../network/src/app.js');\n");
    const found = findDirectionViolations(tmp).map((v: { file: string; rule: string }) => `${v.file}: ${v.rule}`);
    expect(found.sort()).toEqual([
      'catalog/src/bad.ts: catalog imports identity',
      'catalog/src/bad2.ts: catalog imports logging',
      'packages/http/src/bad.ts: package imports a service',
    ]);
  });
});
