/** Anything that runs SQL with positional parameters (a ProjectionContext, a DataSource). */
export interface SqlQuery {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Column name -> PostgreSQL type, for the columns a read model writes. */
export type ColumnTypes = Readonly<Record<string, string>>;

/**
 * Writes any number of rows with one statement: the records travel as one jsonb parameter,
 * `jsonb_to_recordset` turns them back into typed rows (JSON arrays into PostgreSQL arrays),
 * and ON CONFLICT updates the rows that exist. Records are keyed by column name; each conflict
 * key may appear once per call.
 */
export async function upsertRows(
  db: SqlQuery,
  table: string,
  columns: ColumnTypes,
  conflictColumns: readonly string[],
  records: readonly Record<string, unknown>[],
): Promise<void> {
  if (records.length === 0) return;
  const names = Object.keys(columns);
  const definitions = names.map((name) => `${name} ${columns[name]}`).join(', ');
  const updates = names
    .filter((name) => !conflictColumns.includes(name))
    .map((name) => `${name} = EXCLUDED.${name}`)
    .join(', ');
  await db.query(
    `INSERT INTO ${table} (${names.join(', ')})
     SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS record(${definitions})
     ON CONFLICT (${conflictColumns.join(', ')}) DO UPDATE SET ${updates}`,
    [JSON.stringify(records)],
  );
}
