// The cost suite's meter, Worker side: while switched on, every handler of the bench Worker gets
// an env whose D1 databases and EVENT_BODIES bucket count what the platform bills — D1's own
// `meta.rows_written` / `rows_read` per statement (index entries and deletes as D1 counts them),
// R2 operations by class (A: put, list; B: get, head; delete is free) — and the queue handler
// counts batches and messages. Off (the default), handlers get the env untouched.
import { Hono } from "hono";
import { deleteExpiredEvents } from "../src/events/retention";
import type { MeterCounters } from "./meter-counters";

const fresh = (): MeterCounters => ({
  rowsWritten: 0,
  rowsRead: 0,
  statements: 0,
  writtenByTable: {},
  r2ClassA: 0,
  r2ClassB: 0,
  r2Deletes: 0,
  r2BytesPut: 0,
  batches: 0,
  messages: 0,
  sizeFirst: {},
  sizeLast: {},
});

let counters = fresh();
let metering = false;

function tableOf(sql: string): string {
  const match = /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(sql);
  return match?.[1] ?? "(other)";
}

function record(database: string, sql: string, meta: D1Meta | undefined): void {
  const written = meta?.rows_written ?? 0;
  if (meta?.size_after !== undefined) {
    counters.sizeFirst[database] ??= meta.size_after;
    counters.sizeLast[database] = meta.size_after;
  }
  counters.statements += 1;
  counters.rowsWritten += written;
  counters.rowsRead += meta?.rows_read ?? 0;
  if (written > 0) {
    const table = tableOf(sql);
    counters.writtenByTable[table] = (counters.writtenByTable[table] ?? 0) + written;
  }
}

/** A prepared statement that records its answer's meta. */
class MeteredStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    readonly sql: string,
    readonly database: string,
  ) {}

  bind(...values: unknown[]): MeteredStatement {
    return new MeteredStatement(this.inner.bind(...values), this.sql, this.database);
  }

  async all<T>(): Promise<D1Result<T>> {
    const answer = await this.inner.all<T>();
    record(this.database, this.sql, answer.meta);
    return answer;
  }

  async run<T>(): Promise<D1Result<T>> {
    const answer = await this.inner.run<T>();
    record(this.database, this.sql, answer.meta);
    return answer;
  }

  async first<T>(column?: string): Promise<T | null> {
    const answer = await this.all<Record<string, unknown>>();
    const row = answer.results[0];
    if (row === undefined) return null;
    return (column === undefined ? row : (row[column] ?? null)) as T | null;
  }

  raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    return this.inner.raw<T>(options as { columnNames: false });
  }
}

/** A D1 database whose statements record their meta. */
class MeteredDatabase {
  constructor(
    private readonly db: D1Database,
    private readonly name: string,
  ) {}

  prepare(sql: string): MeteredStatement {
    return new MeteredStatement(this.db.prepare(sql), sql, this.name);
  }

  async batch<T>(statements: Array<MeteredStatement | D1PreparedStatement>): Promise<D1Result<T>[]> {
    const inner = statements.map((statement) => (statement instanceof MeteredStatement ? statement.inner : statement));
    const answers = await this.db.batch<T>(inner);
    for (const [index, answer] of answers.entries()) {
      const statement = statements[index];
      record(this.name, statement instanceof MeteredStatement ? statement.sql : "", answer.meta);
    }
    return answers;
  }

  exec(sql: string): Promise<D1ExecResult> {
    return this.db.exec(sql);
  }
}

/** An R2 bucket that counts its operations by class. */
function meteredBucket(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "put") {
          counters.r2ClassA += 1;
          const body = args[1];
          counters.r2BytesPut +=
            typeof body === "string"
              ? new TextEncoder().encode(body).byteLength
              : body instanceof Uint8Array || body instanceof ArrayBuffer
                ? body.byteLength
                : 0;
        } else if (property === "list" || property === "createMultipartUpload") counters.r2ClassA += 1;
        else if (property === "get" || property === "head") counters.r2ClassB += 1;
        else if (property === "delete") counters.r2Deletes += 1;
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** `env` with metered D1 databases and event-body bucket while metering is on; else `env` itself. */
export function meteredEnv<E extends Env>(env: E): E {
  if (!metering) return env;
  const wrapped: Record<string, unknown> = Object.fromEntries(Object.entries(env));
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "object" && value !== null && typeof Reflect.get(value, "batch") === "function")
      wrapped[name] = new MeteredDatabase(value as D1Database, name);
  }
  wrapped.EVENT_BODIES = meteredBucket(env.EVENT_BODIES);
  return wrapped as unknown as E;
}

/** Counts a consumer batch (while metering). */
export function meterBatch(batch: MessageBatch<unknown>): void {
  if (!metering) return;
  counters.batches += 1;
  counters.messages += batch.messages.length;
}

export const meterRoutes = new Hono<{ Bindings: Env }>()
  .post("/bench/meter/start", (c) => {
    counters = fresh();
    metering = true;
    return c.json({ metering });
  })
  .post("/bench/meter/stop", (c) => {
    metering = false;
    return c.json(counters);
  })
  .get("/bench/meter", (c) => c.json(counters))
  /**
   * Retention run as production runs it (bodies left to the bucket's lifecycle rule), a whole
   * retention period later, so every row the suite wrote is deleted — metered like the rest.
   */
  .post("/bench/meter/expire", async (c) => {
    const days = Number(c.env.EVENT_RETENTION_DAYS ?? "7");
    const later = Date.now() + (days + 1) * 86_400_000;
    const deleted = await deleteExpiredEvents(meteredEnv({ ...c.env, EVENT_BODIES_EXPIRY: "lifecycle" }), later);
    return c.json({ deleted });
  });
