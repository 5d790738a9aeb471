// The shard simulation's Worker side: the real EVENTS consumer writes a burst of events into N
// real local D1 databases (DB plus BENCH_LOG_2…8, bench/config.ts), placed by the real
// placement (src/events/shards.ts). Locally every database shares one workerd process on the
// same cores, so wall-clock time cannot show what N separate D1 primaries do; instead each
// database is metered — the writer time its statements hold (SQLite's own duration per
// statement, at least D1's ~1 ms per query) — and the Worker reports, per shard, the events it
// received, its writer time, and each queue shard's share of the messages. bench/shards.ts turns
// these into a sustainable rate.
import { Hono } from "hono";
import { z } from "zod";
import { consumeEvents } from "../src/events/consumer";
import type { EventMessage } from "../src/events/message";
import { shardFor } from "../src/events/shards";
import { newEventId } from "../src/lib/ids";

/** D1 runs about 1,000 simple queries a second per database: a statement holds the writer ≥ 1 ms. */
const QUERY_FLOOR_MS = 1;
export const MAX_SIMULATED_SHARDS = 8;

/** A database that counts what its write batches cost the (single) writer. */
class MeteredDatabase {
  writerMs = 0;
  sqliteMs = 0;
  statements = 0;
  batches = 0;
  constructor(private readonly db: D1Database) {}

  prepare(query: string): D1PreparedStatement {
    return this.db.prepare(query);
  }

  async batch<T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    const results = await this.db.batch<T>(statements);
    this.batches += 1;
    this.statements += statements.length;
    for (const result of results) {
      const duration = result.meta.duration ?? 0;
      this.sqliteMs += duration;
      this.writerMs += Math.max(QUERY_FLOOR_MS, duration);
    }
    return results;
  }
}

const simulationSchema = z.strictObject({
  shards: z.number().int().min(1).max(MAX_SIMULATED_SHARDS),
  events: z.number().int().min(1).max(20_000),
  namespaces: z.array(z.string()).min(1),
  /** Share of the events that go to the first namespace (a hot tenant); the rest spread evenly. */
  hot: z.number().min(0).max(1),
  payload: z.string(),
  run: z.string(),
});

function messageBatch(queue: string, bodies: EventMessage[]): MessageBatch<unknown> {
  const noop = () => undefined;
  const messages = bodies.map((body) => ({
    id: body.id,
    timestamp: new Date(),
    attempts: 1,
    body,
    ack: noop,
    retry: noop,
  }));
  return { queue, messages, ackAll: noop, retryAll: noop, metadata: {} } as unknown as MessageBatch<unknown>;
}

export const shardSimulationRoutes = new Hono<{ Bindings: Env }>().post("/bench/shards", async (c) => {
  const input = simulationSchema.parse(await c.req.json());
  const names = ["DB", ...Array.from({ length: input.shards - 1 }, (_, index) => `BENCH_LOG_${index + 2}`)];
  const meters = names.map((name) => new MeteredDatabase(Reflect.get(c.env, name) as D1Database));
  const simulated: Env = { ...c.env, EVENT_LOG_SHARDS: names.join(","), EVENT_QUEUE_SHARDS: "EVENTS" };
  for (const [index, name] of names.entries()) Reflect.set(simulated, name, meters[index]);

  // The burst, each event on its namespace's queue shard (positions, as src/events/shards.ts places them).
  const queueShards = names.map((_, position) => ({ name: `queue-${position}`, resource: position }));
  const queues = queueShards.map(() => [] as EventMessage[]);
  let seed = 1;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  for (let index = 0; index < input.events; index++) {
    const namespace =
      random() < input.hot
        ? (input.namespaces[0] as string)
        : (input.namespaces[Math.floor(random() * input.namespaces.length)] as string);
    const receivedAt = Date.now();
    queues[shardFor(queueShards, namespace).resource]?.push({
      v: 1,
      id: newEventId(receivedAt),
      namespace,
      discriminator: "push",
      receivedAt,
      sender: { key: `bench/${input.run}`, templates: null },
      metadata: { "x-github-event": ["push"] },
      body: { inline: input.payload },
      bodyBytes: input.payload.length,
    });
  }
  // Each queue shard delivers full batches of 100, as Queues does under load.
  for (const [position, events] of queues.entries())
    for (let start = 0; start < events.length; start += 100)
      await consumeEvents(messageBatch(`hookline-events-${position}`, events.slice(start, start + 100)), simulated);

  return c.json({
    shards: meters.map((meter, index) => ({
      writerMs: meter.writerMs,
      sqliteMs: meter.sqliteMs,
      statements: meter.statements,
      batches: meter.batches,
      queueMessages: queues[index]?.length ?? 0,
    })),
  });
});
