import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_TABLE, openDatabase } from '../src/index.js';
import { FIXTURE_SERVICE, notes } from './fixtures/schema.js';

const migrationsFolder = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));

describe('PGlite persisted to a data directory', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'symbia-db-pglite-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps rows and migration history across close and reopen', async () => {
    const first = await openDatabase({ service: FIXTURE_SERVICE, dataDir, migrationsFolder });
    await first.db.insert(notes).values({ title: 'survives' });
    await first.close();

    const second = await openDatabase({ service: FIXTURE_SERVICE, dataDir, migrationsFolder });
    try {
      const rows = await second.db.select({ title: notes.title }).from(notes);
      expect(rows).toEqual([{ title: 'survives' }]);
      const history = await second.query(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`);
      expect(history.rows[0].n).toBe('2');
    } finally {
      await second.close();
    }
  });
});
