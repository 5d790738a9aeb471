import { z } from "zod";
import { markEnqueued } from "./store";

/** A NOTIFICATIONS queue message naming a delivery to send. */
export const deliveryMessageSchema = z.object({ v: z.literal(1), kind: z.literal("delivery"), id: z.string().min(1) });

/** Hands deliveries to the NOTIFICATIONS queue (100 per batch, Queues' limit) and marks them enqueued. */
export async function enqueueDeliveries(db: D1Database, queue: Queue, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 100) {
    const chunk = ids.slice(start, start + 100);
    await queue.sendBatch(chunk.map((id) => ({ body: { v: 1, kind: "delivery", id }, contentType: "json" as const })));
    await markEnqueued(db, chunk);
  }
}
