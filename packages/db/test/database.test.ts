import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDatabaseUnavailableError, MIGRATIONS_TABLE, openDatabase } from '../src/index.js';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../src/testing.js';
import * as schema from './fixtures/schema.js';
import { FIXTURE_SERVICE, notes, tags } from './fixtures/schema.js';

const migrationsFolder = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));

describeEachEngine('openDatabase', (engine) => {
  let test: TestDatabase<typeof schema>;

  beforeAll(async () => {
    test = await createTestDatabase(engine, FIXTURE_SERVICE, { migrationsFolder, schema });
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('reports its engine and schema', () => {
    expect(test.database.kind).toBe(engine.name);
    expect(test.database.schemaName).toBe(FIXTURE_SERVICE);
  });

  it('applies every migration into the service schema, recorded there too', async () => {
    const { rows } = await test.database.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [FIXTURE_SERVICE],
    );
    expect(rows.map((r) => r.table_name)).toEqual([MIGRATIONS_TABLE, 'notes', 'tags']);
    const publicTables = await test.database.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('notes', 'tags')`,
    );
    expect(publicTables.rows).toHaveLength(0);
    const applied = await test.database.query(`SELECT hash FROM ${FIXTURE_SERVICE}.${MIGRATIONS_TABLE}`);
    expect(applied.rows).toHaveLength(2);
  });

  it('writes and reads through drizzle, and raw SQL resolves unqualified names in the schema', async () => {
    const [note] = await test.database.db
      .insert(notes)
      .values({ title: 'first', body: { a: 1 }, views: 9007199254740993n, blob: Buffer.from('hi') })
      .returning();
    expect(note!.views).toBe(9007199254740993n);
    await test.database.db.insert(tags).values({ noteId: note!.id, label: 'x' });

    const found = await test.database.db.query.notes.findFirst({ where: eq(notes.id, note!.id) });
    expect(found?.blob?.toString()).toBe('hi');
    expect(found?.createdAt).toBeInstanceOf(Date);

    // int8 as a string and bytea as a Buffer on both engines, as node-postgres gives them.
    const raw = await test.database.query('SELECT count(*) OVER () AS n, views AS v, blob AS b FROM notes');
    expect(raw.rows).toEqual([{ n: '1', v: '9007199254740993', b: Buffer.from('hi') }]);
  });

  it('commits a transaction, and rolls back a failed one entirely', async () => {
    await test.database.transaction(async (tx) => {
      await tx.insert(notes).values({ title: 'kept' });
    });
    await expect(
      test.database.transaction(async (tx) => {
        await tx.insert(notes).values({ title: 'dropped' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const titles = (await test.database.db.select({ title: notes.title }).from(notes)).map((r) => r.title);
    expect(titles).toContain('kept');
    expect(titles).not.toContain('dropped');
  });

  it('exports every table of the schema as JSON-safe rows', async () => {
    const dump = await test.database.exportDatabase();
    expect(Object.keys(dump).sort()).toEqual([MIGRATIONS_TABLE, 'notes', 'tags']);
    const first = dump.notes![0] as Record<string, unknown>;
    expect(first).toMatchObject({ id: 1, title: 'first', body: { a: 1 }, views: '9007199254740993', blob: 'aGk=' });
    expect(first.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(dump.tags).toEqual([{ id: 1, note_id: 1, label: 'x' }]);
    expect(JSON.parse(JSON.stringify(dump))).toEqual(dump);
  });

  it('answers ping', async () => {
    expect(await test.database.ping()).toBe(true);
  });

  if (engine.name === 'postgres') {
    it('does not re-apply migrations when opened again', async () => {
      const again = await openDatabase({ service: FIXTURE_SERVICE, url: test.url!, migrationsFolder });
      try {
        const applied = await again.query(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`);
        expect(applied.rows[0].n).toBe('2');
        expect((await again.query('SELECT count(*) AS n FROM notes')).rows[0].n).not.toBe('0');
      } finally {
        await again.close();
      }
    });
  }

  // Last on purpose: it closes the suite's database.
  it('pings false and fails queries as unavailable once closed', async () => {
    await test.database.close();
    await test.database.close(); // idempotent
    expect(await test.database.ping()).toBe(false);
    const err = await test.database.query('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isDatabaseUnavailableError(err)).toBe(true);
  });
});
