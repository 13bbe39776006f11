import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIGRATIONS_TABLE, openDatabase, type Database, type DbLogger } from '../src/index.js';
import { createTestDatabase, describeEachEngine } from '../src/testing.js';
import { FIXTURE_SERVICE } from './fixtures/schema.js';

const fixtureMigrations = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));

/** Records `info` calls so a test can see which opener applied migrations. */
function recordingLogger(): DbLogger & { infos: Array<{ obj: object; msg?: string }> } {
  const infos: Array<{ obj: object; msg?: string }> = [];
  return { infos, info: (obj, msg) => infos.push({ obj, msg }), warn() {}, error() {} };
}

describeEachEngine('migrations', (engine) => {
  let exportedSchemaMigrations: string;

  beforeAll(async () => {
    // What drizzle-kit writes when the schema module exports its pgSchema(): a bare CREATE SCHEMA
    // first, which would fail on a schema that already exists.
    exportedSchemaMigrations = await mkdtemp(join(tmpdir(), 'symbia-db-migrations-'));
    await cp(fixtureMigrations, exportedSchemaMigrations, { recursive: true });
    const first = join(exportedSchemaMigrations, '0000_notes.sql');
    const sql = await readFile(first, 'utf8');
    await writeFile(first, `CREATE SCHEMA "${FIXTURE_SERVICE}";\n--> statement-breakpoint\n${sql}`);
  });
  afterAll(async () => {
    await rm(exportedSchemaMigrations, { recursive: true, force: true });
  });

  it('applies drizzle-kit output that starts with CREATE SCHEMA', async () => {
    const test = await createTestDatabase(engine, FIXTURE_SERVICE, { migrationsFolder: exportedSchemaMigrations });
    try {
      const { rows } = await test.database.query(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`);
      expect(rows[0].n).toBe('2');
      await test.database.query(`INSERT INTO notes (title) VALUES ('ok')`);
    } finally {
      await test.drop();
    }
  });

  if (engine.name !== 'postgres') return;

  it('applies each migration once when several replicas start at the same moment', async () => {
    // An empty database: its only schema is the placeholder service's.
    const target = await createTestDatabase(engine, 'placeholder');
    const loggers = [recordingLogger(), recordingLogger(), recordingLogger()];
    let opened: Database[] = [];
    try {
      opened = await Promise.all(
        loggers.map((logger) =>
          openDatabase({ service: FIXTURE_SERVICE, url: target.url!, migrationsFolder: fixtureMigrations, logger }),
        ),
      );
      const applied = loggers.flatMap((l) =>
        l.infos.filter((i) => i.msg === 'database migrations applied').map((i) => i.obj),
      );
      expect(applied).toEqual([{ service: FIXTURE_SERVICE, applied: 2, total: 2 }]);

      const db = opened[0]!;
      const history = await db.query(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`);
      expect(history.rows[0].n).toBe('2');
      const tables = await db.query(
        `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = 'notes' AND c.relkind = 'r'`,
        [FIXTURE_SERVICE],
      );
      expect(tables.rows[0].n).toBe('1');
    } finally {
      await Promise.all(opened.map((d) => d.close()));
      await target.drop();
    }
  });

  it('fails to open, leaving no pool behind, when the migrations folder is missing', async () => {
    const target = await createTestDatabase(engine, 'placeholder');
    try {
      await expect(
        openDatabase({ service: FIXTURE_SERVICE, url: target.url!, migrationsFolder: join(tmpdir(), 'no-such-folder') }),
      ).rejects.toThrow(/_journal\.json/);
    } finally {
      await target.drop();
    }
  });
});
