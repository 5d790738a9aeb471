import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { GateView } from "../../src/approvals/gate-view";
import { approvalLinkUrl } from "../../src/approvals/links";
import { keyringOf } from "../../src/auth/secrets";
import {
  adminAuth,
  bearer,
  call,
  callJson,
  createToken,
  expectError,
  postSlackInteraction,
  receiver,
  slackSignature,
} from "./helpers";

// Approvals answered where they are asked: Slack buttons (signed clicks, approvers by user and
// user group, response_url updates) and one-time links for robots without interactivity.

const NS = "chat";
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const BOT_TOKEN = "xoxb-chat-approvals";

async function put(path: string, body: unknown) {
  const response = await callJson(`/api/v1/${path}`, "PUT", body);
  expect([200, 201], await response.clone().text()).toContain(response.status);
  return response.json();
}

async function createGate(policy: string): Promise<GateView> {
  const response = await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as GateView;
}

async function readGate(id: string): Promise<GateView> {
  const response = await call(`/api/v1/namespaces/${NS}/approvals/${id}`, { headers: adminAuth });
  return (await response.json()) as GateView;
}

/** Waits until the receiver has `count` requests under `key` matching `filter`. */
async function waitForRequests(key: string, count: number, filter: (path: string) => boolean = () => true) {
  return vi.waitFor(
    async () => {
      const requests = (await receiver.requests(key)).filter((request) => filter(request.path));
      if (requests.length < count) throw new Error(`${requests.length}/${count} requests under ${key}`);
      return requests;
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** A Slack button click as Slack posts it: form-encoded `payload`, signed. */
function click(
  payload: Record<string, unknown>,
  options: { timestamp?: number; secret?: string; signature?: string } = {},
): Promise<Response> {
  return postSlackInteraction(payload, options.secret ?? SIGNING_SECRET, options);
}

interface SlackMessage {
  channel: string;
  text: string;
  blocks: Array<{ type: string; block_id?: string; elements?: Array<Record<string, unknown>> }>;
}

describe("approvals from Slack: buttons, signed clicks, approvers", () => {
  const key = "chat-slack";
  const slackApi = `${receiver.url}/slackapi/${key}/api`;
  const responseUrl = (n: number) => `${receiver.url}/slackapi/${key}/actions/${n}`;
  const posts = (path: string) => path.endsWith("/chat.postMessage");
  const responses = (path: string) => path.includes("/actions/");

  async function setUp() {
    await receiver.behave(key, { secret: BOT_TOKEN, slackGroups: { S0RELEASE: ["U0GROUPIE"] } });
    await put("notifications/services/slack-release", {
      type: "slack",
      token: BOT_TOKEN,
      apiUrl: slackApi,
      signingSecret: SIGNING_SECRET,
    });
    await put(`namespaces/${NS}/approvalpolicies/production`, {
      manual: {
        required: true,
        approvers: ["slack:U0APPROVER", "slack:group:S0RELEASE"],
        confirm: true,
        channels: [{ service: "slack-release", recipients: ["releases"] }],
      },
    });
  }

  /** The value of the gate's buttons in the message it posted (`<gate>.<its id for the message>`). */
  async function buttonValue(gate: string): Promise<string> {
    return vi.waitFor(
      async () => {
        for (const request of await receiver.requests(key)) {
          if (!posts(request.path)) continue;
          const message = JSON.parse(request.body) as SlackMessage;
          const value = message.blocks.find((block) => block.type === "actions")?.elements?.[0]?.value;
          if (typeof value === "string" && value.startsWith(`${gate}.`)) return value;
        }
        throw new Error("request not posted yet");
      },
      { timeout: 10_000, interval: 50 },
    );
  }

  it("a request carries buttons; a non-approver's click changes nothing; an approver's click approves and updates the message", async () => {
    await setUp();
    const service = (await (
      await call("/api/v1/notifications/services/slack-release", { headers: adminAuth })
    ).json()) as Record<string, unknown>;
    expect(service.signingSecret).toBe("(sealed)");
    expect(JSON.stringify(service)).not.toContain(SIGNING_SECRET);

    const gate = await createGate("production");
    const [posted] = await waitForRequests(key, 1, posts);
    const message = JSON.parse(posted?.body ?? "{}") as SlackMessage;
    expect(message.channel).toBe("releases");
    const actions = message.blocks.find((block) => block.type === "actions");
    expect(actions?.block_id).toBe("hookline_approval");
    const value = await buttonValue(gate.id);
    expect(value).toMatch(new RegExp(`^${gate.id}\\.[A-Za-z0-9_-]{22}$`));
    expect(actions?.elements?.map((button) => [button.action_id, button.value, button.style])).toEqual([
      ["hookline_approve", value, "primary"],
      ["hookline_reject", value, "danger"],
    ]);
    // A production policy asks "are you sure?" before approving.
    expect(actions?.elements?.[0]?.confirm).toMatchObject({ confirm: { text: "Approve" }, deny: { text: "Cancel" } });

    const payload = (user: string, action: string, n: number) => ({
      type: "block_actions",
      user: { id: user, name: user.toLowerCase() },
      response_url: responseUrl(n),
      actions: [{ action_id: action, block_id: "hookline_approval", value }],
      message: { text: message.text, blocks: message.blocks },
      channel: { id: "C0RELEASES" },
    });

    // Forged, stale and unsigned clicks: 401, gate untouched.
    const forged = await click(payload("U0APPROVER", "hookline_approve", 1), { secret: "not-the-signing-secret" });
    await expectError(forged, 401, "unauthenticated");
    const stale = await click(payload("U0APPROVER", "hookline_approve", 1), {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    await expectError(stale, 401, "unauthenticated");
    const unsigned = await call("/callbacks/slack/interactions", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "payload=%7B%7D",
    });
    await expectError(unsigned, 401, "unauthenticated");
    await expectError(
      await click(payload("U0APPROVER", "hookline_approve", 1), { signature: "v0=zz" }),
      401,
      "unauthenticated",
    );

    // Someone who is not an approver: 200 at once, an ephemeral note, the gate untouched.
    const intruder = await click(payload("U0INTRUDER", "hookline_approve", 2));
    expect(intruder.status).toBe(200);
    const [note] = await waitForRequests(key, 1, (path) => path.endsWith("/actions/2"));
    expect(JSON.parse(note?.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      replace_original: false,
      text: expect.stringContaining("not an approver"),
    });
    expect((await readGate(gate.id)).status).toBe("pending");

    // The approver: approved, recorded with who and where, the message's buttons replaced.
    const approver = await click(payload("U0APPROVER", "hookline_approve", 3));
    expect(approver.status).toBe(200);
    expect(await approver.text()).toBe("");
    const [update] = await waitForRequests(key, 1, (path) => path.endsWith("/actions/3"));
    const replaced = JSON.parse(update?.body ?? "{}") as SlackMessage & { replace_original: boolean };
    expect(replaced.replace_original).toBe(true);
    expect(replaced.blocks.some((block) => block.type === "actions")).toBe(false);
    expect(JSON.stringify(replaced.blocks.at(-1))).toContain("Approved by <@U0APPROVER>");
    const decided = await readGate(gate.id);
    expect(decided.status).toBe("approved");
    expect(decided.decision).toMatchObject({ by: "slack:U0APPROVER", via: "slack:slack-release" });
    expect(decided.manual.decision).toMatchObject({ approve: true, by: "slack:U0APPROVER" });

    // A contradicting click after the decision: not recorded, said so.
    await click(payload("U0GROUPIE", "hookline_reject", 4));
    const [late] = await waitForRequests(key, 1, (path) => path.endsWith("/actions/4"));
    expect(JSON.parse(late?.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("Not recorded"),
    });
    expect((await readGate(gate.id)).status).toBe("approved");
    // Only Slack's own click endpoints are answered; every answer was JSON to the response_url.
    expect((await receiver.requests(key)).filter((request) => responses(request.path)).length).toBe(4);
  });

  it("a member of an approving Slack user group decides; API callers do not when the policy names only Slack", async () => {
    await setUp();
    const gate = await createGate("production");
    const value = await buttonValue(gate.id);
    const api = await callJson(`/api/v1/namespaces/${NS}/approvals/${gate.id}/decision`, "POST", { approve: true });
    expect(await expectError(api, 403, "permission_denied")).toMatch(/admin is not an approver/);
    const response = await click({
      type: "block_actions",
      user: { id: "U0GROUPIE" },
      response_url: responseUrl(10),
      actions: [{ action_id: "hookline_reject", value }],
      message: { text: "Approval requested", blocks: [] },
    });
    expect(response.status).toBe(200);
    await vi.waitFor(async () => expect((await readGate(gate.id)).status).toBe("rejected"), { timeout: 10_000 });
    expect((await readGate(gate.id)).decision).toMatchObject({ by: "slack:U0GROUPIE", via: "slack:slack-release" });
    const groupLookup = (await receiver.requests(key)).find((request) =>
      request.path.endsWith("usergroups.users.list"),
    );
    expect(groupLookup?.query).toBe("?usergroup=S0RELEASE");
    expect(groupLookup?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it("a Slack app the request was not sent through cannot vouch for an approver", async () => {
    await setUp();
    // Someone who may configure notification services adds their own Slack app…
    await put("notifications/services/slack-rogue", {
      type: "slack",
      url: `${receiver.url}/slack/services/rogue`,
      apiUrl: slackApi,
      signingSecret: "rogue-signing-secret",
    });
    const gate = await createGate("production");
    const value = await buttonValue(gate.id);
    // …and signs a click claiming to be the approver: the request never went through that app.
    const forged = await click(
      {
        type: "block_actions",
        user: { id: "U0APPROVER" },
        response_url: responseUrl(30),
        actions: [{ action_id: "hookline_approve", value }],
      },
      { secret: "rogue-signing-secret" },
    );
    expect(forged.status).toBe(200);
    const [note] = await waitForRequests(key, 1, (path) => path.endsWith("/actions/30"));
    expect(JSON.parse(note?.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining('not sent by the gate through service "slack-rogue"'),
    });
    expect((await readGate(gate.id)).status).toBe("pending");
  });

  it("refuses malformed interactions and ignores clicks that are not hookline's", async () => {
    await setUp();
    // Signed, but the payload is not JSON: 400.
    const body = "payload=not-json";
    const timestamp = Math.floor(Date.now() / 1000);
    const malformed = await call("/callbacks/slack/interactions", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": await slackSignature(body, timestamp, SIGNING_SECRET),
      },
      body,
    });
    await expectError(malformed, 400, "invalid_argument");
    // Another app's button, or a gate id that is junk: acknowledged, nothing decided.
    const other = await click({
      type: "block_actions",
      user: { id: "U0APPROVER" },
      response_url: responseUrl(20),
      actions: [{ action_id: "something_else", value: "x" }],
    });
    expect(other.status).toBe(200);
    const junk = await click({
      type: "block_actions",
      user: { id: "U0APPROVER" },
      response_url: responseUrl(21),
      actions: [{ action_id: "hookline_approve", value: "__proto__" }],
    });
    expect(junk.status).toBe(200);
    const [gone] = await waitForRequests(key, 1, (path) => path.endsWith("/actions/21"));
    expect(JSON.parse(gone?.body ?? "{}")).toMatchObject({ response_type: "ephemeral" });
    // A response_url outside Slack is never called.
    const elsewhere = await click({
      type: "block_actions",
      user: { id: "U0APPROVER" },
      response_url: receiver.hook("chat-elsewhere").replace("127.0.0.1", "localhost"),
      actions: [{ action_id: "hookline_approve", value: "__proto__" }],
    });
    expect(elsewhere.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await receiver.requests("chat-elsewhere")).toEqual([]);
    // Too large: 413.
    const huge = await call("/callbacks/slack/interactions", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "x".repeat(300 * 1024),
    });
    await expectError(huge, 413, "payload_too_large");
  });

  it("refuses approvers that are not identities", async () => {
    for (const approvers of [["slack:u0lower"], ["everyone"], ["slack:group:U123"], [], ["console:"]]) {
      const response = await callJson(`/api/v1/namespaces/${NS}/approvalpolicies/bad`, "PUT", {
        manual: { required: true, approvers },
      });
      await expectError(response, 400, "invalid_argument");
    }
  });
});

describe("approvals from Lark: an app's card, encrypted and signed callbacks", () => {
  const key = "chat-lark";
  const ENCRYPT_KEY = "lark-encrypt-key-123";
  const VERIFICATION_TOKEN = "lark-verification-token";

  async function setUp() {
    await receiver.behave(key, { larkApp: { appId: "cli_a1b2c3d4e5", appSecret: "lark-app-secret" } });
    await put("notifications/services/lark-release", {
      type: "lark",
      appId: "cli_a1b2c3d4e5",
      appSecret: "lark-app-secret",
      apiUrl: `${receiver.url}/larkapi/${key}/open-apis`,
      verificationToken: VERIFICATION_TOKEN,
      encryptKey: ENCRYPT_KEY,
    });
    await put(`namespaces/${NS}/approvalpolicies/lark-prod`, {
      manual: {
        required: true,
        approvers: ["lark:ou_approver1"],
        confirm: true,
        channels: [{ service: "lark-release", recipients: ["oc_release"] }],
      },
    });
  }

  /** Lark's encryption: base64(IV ‖ AES-256-CBC(SHA-256(key), JSON)). */
  async function encrypt(payload: unknown, encryptKey = ENCRYPT_KEY): Promise<string> {
    const keyBytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(encryptKey));
    const aes = await crypto.subtle.importKey("raw", keyBytes, "AES-CBC", false, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const cipher = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aes, new TextEncoder().encode(JSON.stringify(payload))),
    );
    const all = new Uint8Array([...iv, ...cipher]);
    return btoa(String.fromCharCode(...all));
  }

  async function larkCallback(
    payload: unknown,
    options: { timestamp?: number; encryptKey?: string; signature?: string } = {},
  ): Promise<Response> {
    const body = JSON.stringify({ encrypt: await encrypt(payload, options.encryptKey) });
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = "n0nce";
    const digest = new Uint8Array(
      await crypto.subtle.digest(
        "SHA-256",
        new TextEncoder().encode(`${timestamp}${nonce}${options.encryptKey ?? ENCRYPT_KEY}${body}`),
      ),
    );
    const signature = options.signature ?? [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    return call("/callbacks/lark/card", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-lark-request-timestamp": timestamp,
        "x-lark-request-nonce": nonce,
        "x-lark-signature": signature,
      },
      body,
    });
  }

  const clickBy = (
    openId: string,
    gate: string,
    message: string,
    action: "approve" | "reject",
    token = VERIFICATION_TOKEN,
    /** Lark's id of the card clicked (the message the gate sent). */
    messageId = "om_sent",
  ) => ({
    schema: "2.0",
    header: { event_id: crypto.randomUUID(), token, event_type: "card.action.trigger", app_id: "cli_a1b2c3d4e5" },
    event: {
      operator: { open_id: openId },
      token: "c-card-token",
      action: { tag: "button", value: { hookline_gate: gate, hookline_message: message, hookline_action: action } },
      context: { open_message_id: messageId, open_chat_id: "oc_release" },
    },
  });

  it("sends the request as a card with buttons; verifies callbacks; only the policy's Lark approvers decide", async () => {
    await setUp();
    const challenge = await larkCallback({ challenge: "c-123", token: VERIFICATION_TOKEN, type: "url_verification" });
    expect(await challenge.json()).toEqual({ challenge: "c-123" });

    const gate = await createGate("lark-prod");
    const messages = await waitForRequests(key, 1, (path) => path.endsWith("/im/v1/messages"));
    const sent = await vi.waitFor(
      async () => {
        const found = (await receiver.requests(key)).find(
          (request) => request.path.endsWith("/im/v1/messages") && request.body.includes(gate.id),
        );
        if (!found) throw new Error("no card about the gate yet");
        const answer = JSON.parse(found.answer ?? "{}") as { data?: { message_id?: string } };
        return { ...(JSON.parse(found.body) as { receive_id: string; content: string }), id: answer.data?.message_id };
      },
      { timeout: 10_000 },
    );
    expect(messages[0]?.headers.authorization).toBe(`Bearer t-${key}`);
    const tokenRequest = (await receiver.requests(key)).find((request) => request.path.endsWith("/internal"));
    expect(JSON.parse(tokenRequest?.body ?? "{}")).toEqual({ app_id: "cli_a1b2c3d4e5", app_secret: "lark-app-secret" });
    expect(sent.receive_id).toBe("oc_release");
    const card = JSON.parse(sent.content) as {
      elements: Array<{ tag: string; actions?: Array<Record<string, unknown>> }>;
    };
    const buttons = card.elements.find((element) => element.tag === "action")?.actions ?? [];
    const message = String((buttons[0]?.value as { hookline_message?: unknown } | undefined)?.hookline_message);
    expect(message).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(buttons.map((button) => button.value)).toEqual([
      { hookline_gate: gate.id, hookline_message: message, hookline_action: "approve" },
      { hookline_gate: gate.id, hookline_message: message, hookline_action: "reject" },
    ]);
    expect(buttons[0]?.confirm).toBeDefined();

    // Forged signature, stale timestamp, wrong key, wrong verification token: 401, nothing decided.
    const click = clickBy("ou_approver1", gate.id, message, "approve", VERIFICATION_TOKEN, sent.id);
    await expectError(await larkCallback(click, { signature: "00".repeat(32) }), 401, "unauthenticated");
    await expectError(
      await larkCallback(click, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      401,
      "unauthenticated",
    );
    await expectError(await larkCallback(click, { encryptKey: "another-key" }), 401, "unauthenticated");
    await expectError(
      await larkCallback(clickBy("ou_approver1", gate.id, message, "approve", "forged-token", sent.id)),
      401,
      "unauthenticated",
    );
    const plain = await call("/callbacks/lark/card", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(click),
    });
    await expectError(plain, 401, "unauthenticated");
    expect((await readGate(gate.id)).status).toBe("pending");

    // Not an approver: a warning toast, the gate untouched.
    const intruder = await larkCallback(
      clickBy("ou_intruder", gate.id, message, "approve", VERIFICATION_TOKEN, sent.id),
    );
    expect(await intruder.json()).toEqual({
      toast: { type: "error", content: "Not recorded: lark:ou_intruder is not an approver of this gate" },
    });
    // A click naming a message the gate did not send: refused the same way.
    const unsent = await larkCallback(
      clickBy("ou_approver1", gate.id, "A".repeat(22), "approve", VERIFICATION_TOKEN, sent.id),
    );
    // A click from another card than the one the gate sent: refused too.
    const otherCard = await larkCallback(
      clickBy("ou_approver1", gate.id, message, "approve", VERIFICATION_TOKEN, "om_other"),
    );
    expect(((await otherCard.json()) as { toast: { content: string } }).toast.content).toContain(
      "names a message the gate did not send",
    );
    expect(((await unsent.json()) as { toast: { content: string } }).toast.content).toContain("not sent by the gate");
    expect((await readGate(gate.id)).status).toBe("pending");

    // The approver: approved, the card answered without its buttons.
    const approved = (await (await larkCallback(click)).json()) as {
      toast: { type: string; content: string };
      card: { type: string; data: { elements: Array<{ tag: string }> } };
    };
    expect(approved.toast.type).toBe("success");
    expect(approved.toast.content).toContain("Approved by <at id=ou_approver1></at>");
    expect(approved.card.type).toBe("raw");
    expect(approved.card.data.elements.some((element) => element.tag === "action")).toBe(false);
    expect((await readGate(gate.id)).decision).toMatchObject({
      status: "approved",
      by: "lark:ou_approver1",
      via: "lark:lark-release",
    });
  });

  it("refuses Lark settings on other services and callbacks without an app", async () => {
    for (const body of [
      { type: "lark", url: `${receiver.url}/lark/open-apis/bot/v2/hook/x`, verificationToken: "t" },
      { type: "lark", appId: "cli_a1b2c3d4e5" },
      { type: "slack", url: `${receiver.url}/slack/services/x`, appId: "cli_a1b2c3d4e5", appSecret: "s" },
      { type: "lark", appId: "not-an-app", appSecret: "s" },
    ]) {
      await expectError(
        await callJson("/api/v1/notifications/services/bad-lark", "PUT", body),
        400,
        "invalid_argument",
      );
    }
    await expectError(
      await call("/callbacks/lark/card", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "nope",
      }),
      400,
      "invalid_argument",
    );
  });
});

describe("approvals by one-time links (DingTalk, WeCom)", () => {
  async function setUp() {
    await put("notifications/services/dingtalk-ops", {
      type: "dingtalk",
      url: `${receiver.url}/dingtalk/robot/send?access_token=chat-links`,
    });
    await put("notifications/services/wecom-ops", {
      type: "wecom",
      url: `${receiver.url}/wecom/cgi-bin/webhook/send?key=chat-wecom`,
    });
    const channels = [{ service: "dingtalk-ops" }, { service: "wecom-ops", recipients: ["zhangsan"] }];
    await put(`namespaces/${NS}/approvalpolicies/staging`, { manual: { required: true, chatLinks: true, channels } });
    await put(`namespaces/${NS}/approvalpolicies/no-links`, { manual: { required: true, channels } });
  }

  /** The markdown of the message about a gate that a receiver key got. */
  async function messageAbout(key: string, gate: string): Promise<string> {
    return vi.waitFor(
      async () => {
        for (const request of await receiver.requests(key)) {
          const { markdown } = JSON.parse(request.body) as { markdown: { text?: string; content?: string } };
          const text = markdown.text ?? markdown.content ?? "";
          if (text.includes(gate)) return text;
        }
        throw new Error(`no message about ${gate} under ${key} yet`);
      },
      { timeout: 10_000, interval: 50 },
    );
  }

  /** The Approve and Reject links of the message about a gate. */
  async function linksOf(key: string, gate: string): Promise<{ approve: string; reject: string; text: string }> {
    const text = await messageAbout(key, gate);
    const approve = /\[Approve\]\((https:\/\/hookline\.test\/approve\/[^)]+)\)/.exec(text)?.[1] ?? "";
    const reject = /\[Reject\]\((https:\/\/hookline\.test\/approve\/[^)]+)\)/.exec(text)?.[1] ?? "";
    return { approve: new URL(approve).pathname, reject: new URL(reject).pathname, text };
  }

  it("a link opens a confirm page (GET decides nothing), decides once as link:<service>, then answers 410", async () => {
    await setUp();
    const gate = await createGate("staging");
    const links = await linksOf("chat-links", gate.id);
    // Built-in templates keep their lines (a Markdown list, one item per line).
    expect(links.text).toContain(`> - Policy: staging\n> - Approval: ${gate.id}\n> - Workflow: (none)\n`);
    const page = await call(links.approve);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    const html = await page.text();
    expect(html).toContain("Approve this approval?");
    expect(html).toContain('<form method="post">');
    expect(html).not.toContain("<script");
    expect((await readGate(gate.id)).status).toBe("pending");

    // A tampered token: 404, nothing decided.
    const tampered = `${links.approve.slice(0, -3)}${links.approve.endsWith("AAA") ? "BBB" : "AAA"}`;
    expect((await call(tampered, { method: "POST" })).status).toBe(404);
    // A link of another gate's token with this gate's … anything not signed: 404.
    expect((await call("/approve/not-a-token")).status).toBe(404);
    // A cross-site post: refused.
    const crossSite = await call(links.approve, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: "message=hi",
    });
    expect(crossSite.status).toBe(403);
    expect((await readGate(gate.id)).status).toBe("pending");

    const decided = await call(links.approve, {
      method: "POST",
      headers: { origin: "https://hookline.test", "content-type": "application/x-www-form-urlencoded" },
      body: "message=ship+it",
    });
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain("Recorded as link:dingtalk-ops");
    const view = await readGate(gate.id);
    expect(view.status).toBe("approved");
    expect(view.decision).toMatchObject({ by: "link:dingtalk-ops", via: "link:dingtalk-ops", message: "ship it" });

    // Used: the same link, and the other one, are gone.
    for (const [path, method] of [
      [links.approve, "POST"],
      [links.approve, "GET"],
      [links.reject, "POST"],
    ] as const) {
      const again = await call(path, { method });
      expect(again.status, `${method} ${path}`).toBe(410);
      expect(await again.text()).toContain("approved by link:dingtalk-ops");
    }
    expect((await readGate(gate.id)).status).toBe("approved");
  });

  it("WeCom robots get the request as markdown with their own links; policies without chatLinks send none", async () => {
    await setUp();
    const gate = await createGate("staging");
    const wecom = await linksOf("chat-wecom", gate.id);
    expect(wecom.text).toContain("<@zhangsan>");
    const dingtalk = await linksOf("chat-links", gate.id);
    expect(wecom.approve).not.toBe(dingtalk.approve);
    const rejected = await call(wecom.reject, { method: "POST" });
    expect(rejected.status).toBe(200);
    expect((await readGate(gate.id)).decision).toMatchObject({ status: "rejected", by: "link:wecom-ops" });

    const plain = await createGate("no-links");
    expect(await messageAbout("chat-wecom", plain.id)).not.toContain("/approve/");
  });

  it("links do not decide where the policy does not allow them, and API callers still do", async () => {
    await setUp();
    const gate = await createGate("no-links");
    // Even a validly signed link (hookline never sends one for this policy) decides nothing.
    const link = await approvalLinkUrl(keyringOf(env), "https://hookline.test", {
      gateId: gate.id,
      action: "approve",
      service: "dingtalk-ops",
      message: "M".repeat(22),
      link: "L".repeat(22),
    });
    const refused = await call(new URL(link).pathname, { method: "POST" });
    expect(refused.status).toBe(403);
    expect((await readGate(gate.id)).status).toBe("pending");
    const token = await createToken({ name: "deployer", namespaces: [NS], scopes: ["approvals:decide"] });
    const response = await callJson(
      `/api/v1/namespaces/${NS}/approvals/${gate.id}/decision`,
      "POST",
      { approve: true },
      bearer(token),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { approval: GateView }).approval.decision).toMatchObject({
      by: "token:deployer",
      via: "api",
    });
  });
});
