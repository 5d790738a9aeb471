// The ingest baseline: a separate minimal Worker that reads the body, sends it to a queue and
// answers 202 — what any queue-backed webhook endpoint must do at least. Its queue's consumer
// acknowledges and does nothing else. `npm run bench` runs it in its own wrangler dev beside hookline.

interface ForwarderEnv {
  FORWARD: Queue;
}

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response("ok");
    const body = await request.text();
    await env.FORWARD.send({ body }, { contentType: "json" });
    return new Response('{"id":"forwarded"}', { status: 202, headers: { "content-type": "application/json" } });
  },
  async queue(batch) {
    batch.ackAll();
  },
} satisfies ExportedHandler<ForwarderEnv, unknown>;
