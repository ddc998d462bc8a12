import type { DataSource } from 'typeorm';

/** Test-only (not exported from the library): what a rebuild may change or leave behind in the schema. */

export interface SchemaName {
  table: string;
  name: string;
  /** `index`, or the constraint's pg_constraint.contype. */
  kind: string;
}

/** Every index and constraint name of the tables. */
export const indexAndConstraintNames = (db: DataSource, tables: readonly string[]): Promise<SchemaName[]> =>
  db.query(
    `SELECT t.relname AS table, i.relname AS name, 'index' AS kind
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relname = ANY($1)
     UNION ALL
     SELECT t.relname, c.conname, c.contype::text
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE t.relname = ANY($1)
     ORDER BY 1, 2, 3`,
    [tables],
  );

/** Tables, indexes and sequences a rebuild left behind (its fresh or old copies). */
export const rebuildLeftovers = async (db: DataSource): Promise<string[]> =>
  (await db.query(`SELECT relname FROM pg_class WHERE relname LIKE '%\\_\\_rebuild%' OR relname LIKE '%\\_\\_old%'`)).map(
    (row: { relname: string }) => row.relname,
  );
