/**
 * A bound parameter carries at most ~2 MB in D1; rows go to one statement as a JSON array up to
 * this many UTF-16 units (≤ 3 bytes each), so a chunk stays under the limit.
 */
const ROWS_CHUNK_UNITS = 600_000;

/**
 * Statements writing rows as few multi-row INSERTs: the rows travel as one JSON array bound to
 * ?1 (D1 allows 100 bound parameters, too few for 100 rows × 14 columns), cut into chunks under
 * the parameter size limit. `insert` wraps the SELECT that reads the columns (from `value`, one
 * array per row) into the statement.
 */
export function multiRowStatements(
  db: D1Database,
  rows: readonly unknown[][],
  insert: (select: string) => string,
  columnCount: number,
): D1PreparedStatement[] {
  const select = Array.from({ length: columnCount }, (_, index) => `json_extract(value, '$[${index}]')`).join(", ");
  const sql = insert(`SELECT ${select} FROM json_each(?1) WHERE true`);
  const statements: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let units = 0;
  const flush = () => {
    if (chunk.length > 0) statements.push(db.prepare(sql).bind(`[${chunk.join(",")}]`));
    chunk = [];
    units = 0;
  };
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (units + text.length > ROWS_CHUNK_UNITS) flush();
    chunk.push(text);
    units += text.length + 1;
  }
  flush();
  return statements;
}
