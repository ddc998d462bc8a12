import { groupByKey, type ProjectedEvent, type ProjectionContext } from '#libs/projections';
import { upsertRows, type ColumnTypes } from './upsert-rows.js';

export interface RowPerArticle<Row, Stored, Event extends ProjectedEvent> {
  /** Logical name of the table, resolved through the context (rebuilds write fresh copies). */
  table: string;
  /** The columns written, keyed by the article id column `id`. */
  columns: ColumnTypes;
  /** Pure: the row after one event (null while the article has none). */
  evolve: (row: Row | null, event: Event) => Row | null;
  fromStored: (stored: Stored) => Row;
  toRecord: (row: Row) => Record<string, unknown>;
}

/**
 * The `apply` of a read model with one row per article, folded by a pure evolve: loads the batch's
 * articles in one query, folds their events in memory, writes them back in one upsert.
 */
export function applyRowPerArticle<Row, Stored extends { id: string }, Event extends ProjectedEvent>(
  model: RowPerArticle<Row, Stored, Event>,
) {
  return async (events: readonly ProjectedEvent[], context: ProjectionContext): Promise<void> => {
    const table = context.table(model.table);
    // The projection's streamTypes make the runner hand it only the events evolve knows.
    const byArticle = groupByKey(events as readonly Event[]);
    const stored = await context.query<Stored>(`SELECT * FROM ${table} WHERE id = ANY($1::uuid[])`, [[...byArticle.keys()]]);
    const existing = new Map(stored.map((row) => [row.id, model.fromStored(row)]));
    const rows = [...byArticle]
      .map(([articleId, articleEvents]) => articleEvents.reduce<Row | null>(model.evolve, existing.get(articleId) ?? null))
      .filter((row): row is Row => row !== null);
    await upsertRows(context, table, model.columns, ['id'], rows.map(model.toRecord));
  };
}
