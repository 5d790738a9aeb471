// A webhook receiver on 127.0.0.1 standing in for approvers' webhook endpoints and for chat
// services: /hooks/<key> records anything; /dingtalk, /wecom, /slack, /teams, /lark, /discord,
// /googlechat and /slackapi/<key>/api/chat.postMessage|update|usergroups.users.list|users.info
// (Slack's Web API, bot token in `secret`, groups in `slackGroups`, emails in `slackEmails`) and
// /slackapi/<key>/actions/<id> (a click's response_url) and /larkapi/<key>/open-apis/auth/v3/
// tenant_access_token/internal|im/v1/messages|contact/v3/users/<open_id> (a Lark app: id and
// secret in `larkApp`, emails in `larkEmails`) behave like those services (shapes checked,
// DingTalk and Lark signatures verified, their own success and error answers);
// /access/<key>/cdn-cgi/access/certs serves a Cloudflare Access team's keys (`jwks`). Every
// request is recorded under its key and answered as told (fail N times, always fail). Tests read
// and steer it through /_receiver/*.
// Keys separate test files running in parallel.
import { createHmac } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import { listenOnLoopback, readBody } from "./http.ts";

export interface ReceivedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  /** The status it was answered with. */
  status?: number;
  /** The body it was answered with (a chat service's answer: Slack's `ts`, Lark's `message_id`…). */
  answer?: string;
}

export interface ReceiverBehaviour {
  /** Answer this many requests with `status` (default 500) before succeeding. */
  fail?: number;
  /** Answer every request with this status. */
  status?: number;
  /** The body of successful answers. */
  reply?: unknown;
  /** DingTalk / Lark robots: the signing secret requests must be signed with. */
  secret?: string;
  /** Answer this many requests 429 with Retry-After (`retryAfter` seconds, default 1) first. */
  tooMany?: number;
  retryAfter?: number;
  /** Chaos: the probability of a 500, of a 429 (Retry-After 1), of a hang (answered after `hangMs`). */
  randomFailRate?: number;
  random429Rate?: number;
  randomHangRate?: number;
  hangMs?: number;
  /** Slack's Web API: the members of each user group (usergroups.users.list). */
  slackGroups?: Record<string, string[]>;
  /** Lark's Open API: the app allowed to take a tenant_access_token. */
  larkApp?: { appId: string; appSecret: string };
  /** Slack's users.info and Lark's contact API: each user's email. */
  slackEmails?: Record<string, string>;
  larkEmails?: Record<string, string>;
  /** Cloudflare Access: the team's signing keys (a JWKS). */
  jwks?: { keys: unknown[] };
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
    let entry: ReceivedRequest | undefined;
    const reply = (status: number, payload: unknown) => {
      if (entry) entry.status = status;
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
    const route = routeOf(url);
    if (!route) return reply(404, { message: "no such hook" });
    const { key, service } = route;
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const list = requests.get(key) ?? [];
    entry = { method: request.method ?? "", path: url.pathname, query: url.search, headers, body, at: Date.now() };
    list.push(entry);
    requests.set(key, list);
    const behaviour = behaviours.get(key) ?? {};
    if (behaviour.status !== undefined) return reply(behaviour.status, { message: "told to answer this" });
    if ((behaviour.fail ?? 0) > 0) {
      behaviour.fail = (behaviour.fail ?? 0) - 1;
      return reply(500, { message: "temporarily broken" });
    }
    const tooMany = (retryAfter: number) => {
      if (entry) entry.status = 429;
      response.writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfter) });
      response.end(JSON.stringify({ message: "slow down" }));
    };
    if ((behaviour.tooMany ?? 0) > 0) {
      behaviour.tooMany = (behaviour.tooMany ?? 0) - 1;
      return tooMany(behaviour.retryAfter ?? 1);
    }
    const roll = Math.random();
    const failRate = behaviour.randomFailRate ?? 0;
    const tooManyRate = behaviour.random429Rate ?? 0;
    if (roll < failRate) return reply(500, { message: "random failure" });
    if (roll < failRate + tooManyRate) return tooMany(1);
    if (roll < failRate + tooManyRate + (behaviour.randomHangRate ?? 0)) {
      // Hung: the message is not taken (the sender times out), the answer comes far too late.
      list.pop();
      setTimeout(() => reply(200, { ok: true }), behaviour.hangMs ?? 30_000).unref();
      return;
    }
    if (service === "hooks") return reply(200, behaviour.reply ?? { ok: true });
    chatAnswer(service, url, body, behaviour, response, headers, entry);
  });
  return listenOnLoopback(server);
}

type Service =
  | "hooks"
  | "dingtalk"
  | "wecom"
  | "slack"
  | "slackapi"
  | "slackresponse"
  | "access"
  | "larkapi"
  | "teams"
  | "lark"
  | "discord"
  | "googlechat";

function routeOf(url: URL): { key: string; service: Service } | null {
  const patterns: Array<[Service, RegExp]> = [
    ["hooks", /^\/hooks\/([^/]+)/],
    ["dingtalk", /^\/dingtalk\/robot\/send$/],
    ["slack", /^\/slack\/services\/([^/]+)/],
    ["wecom", /^\/wecom\/cgi-bin\/webhook\/send$/],
    ["slackapi", /^\/slackapi\/([^/]+)\/api\/(?:chat\.postMessage|chat\.update|usergroups\.users\.list|users\.info)$/],
    ["slackresponse", /^\/slackapi\/([^/]+)\/actions\/[^/]+$/],
    [
      "larkapi",
      /^\/larkapi\/([^/]+)\/open-apis\/(?:auth\/v3\/tenant_access_token\/internal|im\/v1\/messages|contact\/v3\/users\/[^/]+)$/,
    ],
    ["access", /^\/access\/([^/]+)\/cdn-cgi\/access\/certs$/],
    ["teams", /^\/teams\/([^/]+)/],
    ["lark", /^\/lark\/open-apis\/bot\/v2\/hook\/([^/]+)$/],
    ["discord", /^\/discord\/api\/webhooks\/([^/]+)\/[^/]+$/],
    ["googlechat", /^\/googlechat\/v1\/spaces\/([^/]+)\/messages$/],
  ];
  for (const [service, pattern] of patterns) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    const key =
      service === "dingtalk"
        ? url.searchParams.get("access_token")
        : service === "wecom"
          ? url.searchParams.get("key")
          : match[1];
    return key ? { key, service } : null;
  }
  return null;
}

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(body) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Answers like the real service would. */
function chatAnswer(
  service: Service,
  url: URL,
  body: string,
  behaviour: ReceiverBehaviour,
  response: ServerResponse,
  headers: Record<string, string>,
  entry: ReceivedRequest,
) {
  const json = (status: number, payload: unknown) => text(status, JSON.stringify(payload), "application/json");
  const text = (status: number, payload: string, type = "text/plain") => {
    entry.status = status;
    entry.answer = payload;
    response.writeHead(status, { "content-type": type });
    response.end(payload);
  };
  const message = parseJson(body);
  const fresh = (timestampMs: number) => Math.abs(Date.now() - timestampMs) < 3_600_000;
  switch (service) {
    case "dingtalk": {
      if (!message) return json(200, { errcode: 40035, errmsg: "缺少参数 json" });
      if (behaviour.secret) {
        const timestamp = Number(url.searchParams.get("timestamp"));
        const expected = createHmac("sha256", behaviour.secret)
          .update(`${timestamp}\n${behaviour.secret}`)
          .digest("base64");
        if (!fresh(timestamp) || url.searchParams.get("sign") !== expected) {
          return json(200, {
            errcode: 310000,
            errmsg: "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]",
          });
        }
      }
      const markdown = message.markdown as { title?: unknown; text?: unknown } | undefined;
      if (message.msgtype !== "markdown" || typeof markdown?.title !== "string" || typeof markdown.text !== "string") {
        return json(200, { errcode: 40035, errmsg: "缺少参数 markdown" });
      }
      return json(200, { errcode: 0, errmsg: "ok" });
    }
    case "wecom": {
      // WeCom group robots: {msgtype: "markdown", markdown: {content}} of at most 4,096 bytes.
      if (!message) return json(200, { errcode: 40063, errmsg: "invalid json" });
      const content = (message.markdown as { content?: unknown } | undefined)?.content;
      if (message.msgtype !== "markdown") return json(200, { errcode: 40008, errmsg: "invalid message type" });
      if (typeof content !== "string" || content === "") return json(200, { errcode: 44004, errmsg: "empty content" });
      if (Buffer.byteLength(content) > 4096)
        return json(200, { errcode: 40058, errmsg: "markdown.content exceed max length 4096" });
      return json(200, { errcode: 0, errmsg: "ok" });
    }
    case "access":
      // Cloudflare Access's signing keys of a team (JWKS), as the test set them.
      return json(200, behaviour.jwks ?? { keys: [] });
    case "larkapi": {
      // Lark's Open API: {code: 0, …} for yes, a non-zero code (HTTP 200 or 4xx) for no.
      const app = behaviour.larkApp;
      const tenantToken = `t-${url.pathname.split("/")[2]}`;
      const contact = /\/contact\/v3\/users\/([^/]+)$/.exec(url.pathname);
      if (contact) {
        // The contact API: a user by open_id, with the email the app may read.
        if (headers.authorization !== `Bearer ${tenantToken}`)
          return json(400, { code: 99991663, msg: "Invalid access token" });
        if (url.searchParams.get("user_id_type") !== "open_id")
          return json(400, { code: 99992402, msg: "field validation failed" });
        const email = behaviour.larkEmails?.[decodeURIComponent(contact[1] ?? "")];
        return email
          ? json(200, { code: 0, msg: "success", data: { user: { open_id: contact[1], email } } })
          : json(400, { code: 41050, msg: "no user authority error" });
      }
      if (!(headers["content-type"] ?? "").startsWith("application/json") || !message)
        return json(400, { code: 9499, msg: "Bad Request" });
      if (url.pathname.endsWith("/tenant_access_token/internal")) {
        if (!app || message.app_id !== app.appId || message.app_secret !== app.appSecret)
          return json(200, { code: 10014, msg: "app secret invalid" });
        return json(200, { code: 0, msg: "ok", tenant_access_token: tenantToken, expire: 7200 });
      }
      if (headers.authorization !== `Bearer ${tenantToken}`)
        return json(400, {
          code: 99991663,
          msg: "Invalid access token for authorization. Please make a request with token attached.",
        });
      const kind = url.searchParams.get("receive_id_type");
      if (kind !== "chat_id" && kind !== "open_id")
        return json(400, { code: 99992402, msg: "field validation failed" });
      if (typeof message.receive_id !== "string" || !/^o[cu]_/.test(message.receive_id))
        return json(400, {
          code: 230001,
          msg: "Your request contains an invalid request parameter, ext=invalid receive_id",
        });
      if (message.msg_type !== "interactive" || typeof message.content !== "string" || !parseJson(message.content))
        return json(400, {
          code: 230001,
          msg: "Your request contains an invalid request parameter, ext=invalid content",
        });
      return json(200, { code: 0, msg: "success", data: { message_id: `om_${Date.now()}` } });
    }
    case "slackresponse":
      // A click's response_url takes JSON: a replacement message or an ephemeral note.
      if (!(headers["content-type"] ?? "").startsWith("application/json") || !message)
        return text(400, "invalid_payload");
      if (typeof message.text !== "string" && !Array.isArray(message.blocks)) return text(400, "no_text");
      return json(200, { ok: true });
    case "slack":
      if (!message) return text(400, "invalid_payload");
      if (typeof message.text !== "string" && !Array.isArray(message.blocks)) return text(400, "no_text");
      return text(200, "ok");
    case "slackapi": {
      // Slack's Web API answers 200 with {ok: false, error} for what it refuses.
      if (!behaviour.secret || headers.authorization !== `Bearer ${behaviour.secret}`)
        return json(200, { ok: false, error: "invalid_auth" });
      if (url.pathname.endsWith("/users.info")) {
        // users.info: the profile's email only with the users:read.email scope (here: when the test gave one).
        const user = url.searchParams.get("user") ?? "";
        const email = behaviour.slackEmails?.[user];
        if (!email) return json(200, { ok: false, error: "user_not_found" });
        return json(200, { ok: true, user: { id: user, profile: { email } } });
      }
      if (url.pathname.endsWith("/usergroups.users.list")) {
        const group = url.searchParams.get("usergroup") ?? "";
        const members = behaviour.slackGroups?.[group];
        return members ? json(200, { ok: true, users: members }) : json(200, { ok: false, error: "no_such_subteam" });
      }
      if (!(headers["content-type"] ?? "").startsWith("application/json") || !message)
        return json(200, { ok: false, error: "invalid_json" });
      if (typeof message.channel !== "string" || message.channel === "")
        return json(200, { ok: false, error: "channel_not_found" });
      const updating = url.pathname.endsWith("/chat.update");
      if (updating && typeof message.ts !== "string") return json(200, { ok: false, error: "message_not_found" });
      if (message.thread_ts !== undefined && typeof message.thread_ts !== "string")
        return json(200, { ok: false, error: "invalid_thread_ts" });
      if (message.text === undefined && message.blocks === undefined && message.attachments === undefined)
        return json(200, { ok: false, error: "no_text" });
      for (const field of ["blocks", "attachments"]) {
        if (message[field] !== undefined && !Array.isArray(message[field]))
          return json(200, { ok: false, error: `invalid_${field}` });
      }
      return json(200, {
        ok: true,
        channel: message.channel,
        ts: updating ? message.ts : `${(Date.now() / 1000).toFixed(6)}`,
      });
    }
    case "teams": {
      const attachments = message?.attachments as
        | Array<{ contentType?: unknown; content?: { type?: unknown } }>
        | undefined;
      if (
        message?.type !== "message" ||
        !Array.isArray(attachments) ||
        attachments[0]?.content?.type !== "AdaptiveCard"
      ) {
        return json(400, {
          error: { code: "InvalidRequestContent", message: "The request content is not an adaptive card message." },
        });
      }
      response.writeHead(202);
      return void response.end();
    }
    case "lark": {
      if (!message || typeof message.msg_type !== "string")
        return json(200, { code: 9499, msg: "Bad Request", data: {} });
      if (behaviour.secret) {
        const timestamp = Number(message.timestamp);
        const expected = createHmac("sha256", `${timestamp}\n${behaviour.secret}`).update("").digest("base64");
        if (!fresh(timestamp * 1000) || message.sign !== expected) {
          return json(200, {
            code: 19021,
            msg: "sign match fail or timestamp is not within one hour from current time",
            data: {},
          });
        }
      }
      return json(200, { StatusCode: 0, StatusMessage: "success", code: 0, data: {}, msg: "success" });
    }
    case "discord": {
      const embeds = message?.embeds;
      if (!message || (typeof message.content !== "string" && (!Array.isArray(embeds) || embeds.length === 0))) {
        return json(400, { message: "Cannot send an empty message", code: 50006 });
      }
      response.writeHead(204);
      return void response.end();
    }
    case "googlechat":
      if (!message || (typeof message.text !== "string" && !Array.isArray(message.cardsV2))) {
        return json(400, { error: { code: 400, message: "Message cannot be empty.", status: "INVALID_ARGUMENT" } });
      }
      return json(200, { name: `spaces/x/messages/${Date.now()}`, text: message.text });
    default:
      return json(404, {});
  }
}
