// What the cost suite's meter counts (bench/meter.ts, Worker side) and reports to the suite
// (bench/cost.ts, Node side): plain data, shared by both.

export interface MeterCounters {
  rowsWritten: number;
  rowsRead: number;
  statements: number;
  /** rows written, by the table the statement writes (INSERT INTO t / UPDATE t / DELETE FROM t). */
  writtenByTable: Record<string, number>;
  r2ClassA: number;
  r2ClassB: number;
  r2Deletes: number;
  r2BytesPut: number;
  batches: number;
  messages: number;
  /** D1's own meta.size_after, by database: the first and the latest seen while metering. */
  sizeFirst: Record<string, number>;
  sizeLast: Record<string, number>;
}
