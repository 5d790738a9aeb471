// A webhook receiver on 127.0.0.1 standing in for approvers' webhook endpoints: it records every
// request under /hooks/<key> and answers as told (fail N times, always fail, hang). Tests read
// and steer it through /_receiver/*. Keys separate test files running in parallel.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface ReceiverBehaviour {
  /** Answer this many requests with `status` (default 500) before succeeding. */
  fail?: number;
  /** Answer every request with this status. */
  status?: number;
  /** The body of successful answers. */
  reply?: unknown;
}

export interface Receiver {
  url: string;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests = new Map<string, ReceivedRequest[]>();
  const behaviours = new Map<string, ReceiverBehaviour>();
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    const body = await readBody(request);
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(payload));
    };
    if (url.pathname.startsWith("/_receiver/")) {
      const key = url.searchParams.get("key") ?? "";
      if (url.pathname === "/_receiver/requests") return reply(200, { requests: requests.get(key) ?? [] });
      if (url.pathname === "/_receiver/behaviour") {
        behaviours.set(key, body ? (JSON.parse(body) as ReceiverBehaviour) : {});
        return reply(200, {});
      }
      return reply(404, { message: "unknown control" });
    }
    const key = /^\/hooks\/([^/]+)/.exec(url.pathname)?.[1];
    if (!key) return reply(404, { message: "no such hook" });
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const list = requests.get(key) ?? [];
    list.push({ method: request.method ?? "", path: url.pathname, query: url.search, headers, body, at: Date.now() });
    requests.set(key, list);
    const behaviour = behaviours.get(key) ?? {};
    if (behaviour.status !== undefined) return reply(behaviour.status, { message: "told to answer this" });
    if ((behaviour.fail ?? 0) > 0) {
      behaviour.fail = (behaviour.fail ?? 0) - 1;
      return reply(500, { message: "temporarily broken" });
    }
    reply(200, behaviour.reply ?? { ok: true });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
