import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './test-database.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const rows = await query(process.env.DATABASE_URL!, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return rows.length === 1;
}

describe('createTestDatabase', () => {
  const created: TestDatabase[] = [];

  beforeAll(() => {
    if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: jest global setup should have set it');
  });

  afterAll(async () => {
    await Promise.all(created.map((db) => db.drop()));
  });

  it('creates a uniquely named, empty, usable database and drops it', async () => {
    const db = await createTestDatabase();
    created.push(db);
    expect(db.name).toMatch(/^newsroom_t_[0-9a-f]{12}$/);
    expect(new URL(db.url).pathname).toBe(`/${db.name}`);
    expect(await databaseExists(db.name)).toBe(true);

    const [{ current_database }] = await query<{ current_database: string }>(db.url, 'SELECT current_database()');
    expect(current_database).toBe(db.name);
    const tables = await query(db.url, "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables).toHaveLength(0);

    await query(db.url, 'CREATE TABLE article (id int PRIMARY KEY, title text NOT NULL)');
    await query(db.url, "INSERT INTO article VALUES (1, 'Hello')");
    expect(await query(db.url, 'SELECT title FROM article')).toEqual([{ title: 'Hello' }]);

    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
    await db.drop(); // a second drop is harmless
  });

  it('isolates databases from each other', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    created.push(a, b);
    expect(a.name).not.toBe(b.name);
    await query(a.url, 'CREATE TABLE only_in_a (id int)');
    const inB = await query(b.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'only_in_a'");
    expect(inB).toHaveLength(0);
  });

  it('drops a database that still has open connections', async () => {
    const db = await createTestDatabase();
    created.push(db);
    const leaked = new pg.Client({ connectionString: db.url });
    leaked.on('error', () => undefined); // the forced drop terminates it
    await leaked.connect();
    try {
      await db.drop();
      expect(await databaseExists(db.name)).toBe(false);
    } finally {
      await leaked.end().catch(() => undefined);
    }
  });

  it('needs a server URL', async () => {
    await expect(createTestDatabase('')).rejects.toThrow(/DATABASE_URL/);
  });
});
