import type { DataSource } from 'typeorm';

/**
 * The plan PostgreSQL would cache for a prepared statement once it stops planning it per call
 * (the generic plan), made from the tables as they are now. Made on empty tables, it shows what
 * a connection opened early would go on doing as the tables grow. `args` are SQL literals.
 */
export async function genericPlanOf(dataSource: DataSource, text: string, parameterTypes: string[], args: string[]): Promise<string> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await manager.query(`PREPARE plan_probe(${parameterTypes.join(', ')}) AS ${text}`);
    try {
      const rows: { 'QUERY PLAN': string }[] = await manager.query(`EXPLAIN EXECUTE plan_probe(${args.join(', ')})`);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await manager.query('DEALLOCATE plan_probe');
    }
  });
}
