import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";
import { type Receiver, startReceiver } from "../fakes/receiver";
import { adminApi, receivedRequests, slackClick } from "./support";

// A Slack approval end to end on the Worker `npm start` runs: the request message with its
// buttons, a signed click by someone who is not an approver, then by the approver, and the
// message updated through response_url. With HOOKLINE_SCREENSHOTS=1 the message hookline sent
// (its Block Kit, rendered Slack-like in Chromium) is saved as docs/slack-approval.png.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef";
const BOT_TOKEN = "xoxb-e2e";
const KEY = "e2e-slack";

let worker: RunningWorker;
let receiver: Receiver;

const api = adminApi(() => worker);
const received = () => receivedRequests(receiver.url, KEY);
const click = (payload: unknown) => slackClick(worker.url, SIGNING_SECRET, payload);

interface Block {
  type: string;
  text?: { text: string };
  elements?: Array<{ type?: string; text?: { text: string } | string; style?: string }>;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Slack's mrkdwn, enough of it for a preview: *bold*, <url|text>, <@U…>, quotes, line breaks. */
function mrkdwn(text: string): string {
  return escapeHtml(text)
    .replace(/&lt;@(U[A-Z0-9]+)&gt;/g, '<span class="mention">@$1</span>')
    .replace(/&lt;([^|&]+)\|([^&]+)&gt;/g, '<a href="#">$2</a>')
    .replace(/\*([^*\n]+)\*/g, "<b>$1</b>")
    .replace(/^&gt; ?/gm, "│ ")
    .replace(/\n/g, "<br>");
}

/** A Slack-like rendering of the Block Kit messages hookline sent (no Slack workspace here). */
function preview(messages: Array<{ title: string; blocks: Block[] }>): string {
  const block = (b: Block) => {
    if (b.type === "header") return `<div class="header">${escapeHtml(b.text?.text ?? "")}</div>`;
    if (b.type === "section") return `<div class="section">${mrkdwn(b.text?.text ?? "")}</div>`;
    if (b.type === "actions")
      return `<div class="actions">${(b.elements ?? [])
        .map(
          (e) =>
            `<span class="button ${e.style ?? ""}">${escapeHtml(typeof e.text === "string" ? e.text : (e.text?.text ?? ""))}</span>`,
        )
        .join("")}</div>`;
    if (b.type === "context")
      return `<div class="context">${(b.elements ?? []).map((e) => mrkdwn(typeof e.text === "string" ? e.text : "")).join(" ")}</div>`;
    return "";
  };
  const style = `body{font:15px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;background:#fff;color:#1d1c1d;width:720px}
  .channel{padding:10px 20px;border-bottom:1px solid #ddd;font-weight:700}.note{padding:6px 20px;color:#616061;font-size:13px}
  .msg{display:flex;gap:10px;padding:12px 20px}.avatar{width:36px;height:36px;border-radius:6px;background:#f38020;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
  .name{font-weight:900}.app{background:#ddd;border-radius:3px;font-size:10px;padding:1px 4px;margin-left:4px;color:#555}.time{color:#616061;font-size:12px;margin-left:6px}
  .header{font-size:18px;font-weight:900;margin:4px 0}.section{margin:4px 0}.actions{margin:8px 0;display:flex;gap:8px}
  .button{border:1px solid #bbb;border-radius:4px;padding:4px 12px;font-weight:700;font-size:14px}.button.primary{background:#007a5a;border-color:#007a5a;color:#fff}.button.danger{color:#e01e5a}
  .context{color:#616061;font-size:13px;margin-top:6px}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}b{font-weight:700}`;
  const body = messages
    .map(
      (m) =>
        `<div class="note">${escapeHtml(m.title)}</div><div class="msg"><div class="avatar">h</div><div><span class="name">hookline</span><span class="app">APP</span><span class="time">9:41 AM</span>${m.blocks.map(block).join("")}</div></div>`,
    )
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><style>${style}</style></head><body><div class="channel"># releases</div>${body}</body></html>`;
}

describe("a Slack approval end to end (npm start's Worker, a fake Slack)", () => {
  beforeAll(async () => {
    [worker, receiver] = await Promise.all([startWorker(), startReceiver()]);
    await fetch(`${receiver.url}/_receiver/behaviour?key=${KEY}`, {
      method: "POST",
      body: JSON.stringify({ secret: BOT_TOKEN }),
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([worker?.stop(), receiver?.close()]);
  });

  it("request with buttons → a non-approver's click (gate unchanged) → the approver's click (approved, message updated)", async () => {
    await api("PUT", "/api/v1/notifications/services/release-app", {
      type: "slack",
      token: BOT_TOKEN,
      apiUrl: `${receiver.url}/slackapi/${KEY}/api`,
      signingSecret: SIGNING_SECRET,
    });
    // The policy names the channel its gates send their request to (with buttons) themselves.
    await api("PUT", "/api/v1/namespaces/payments/approvalpolicies/production", {
      manual: {
        required: true,
        approvers: ["slack:U0ALICE"],
        confirm: true,
        channels: [{ service: "release-app", recipients: ["releases"] }],
      },
    });
    const gate = await api("POST", "/api/v1/namespaces/payments/approvals", {
      policy: "production",
      context: { version: "v2.4.0", commit: "9f3c2ab" },
    });
    const request = await eventually(async () => (await received()).find((r) => r.path.endsWith("/chat.postMessage")));
    const message = JSON.parse(request.body) as { text: string; blocks: Block[] };
    const buttons = message.blocks.find((b) => b.type === "actions");
    const values = buttons?.elements?.map((e) => (e as { value?: string }).value) ?? [];
    expect(values[0]).toMatch(new RegExp(`^${gate.id}\\.`));
    expect(values).toEqual([values[0], values[0]]);
    const ts = (JSON.parse(request.answer ?? "{}") as { ts?: string }).ts;

    const payload = (user: string, n: number) => ({
      type: "block_actions",
      user: { id: user, name: user === "U0ALICE" ? "alice" : "mallory" },
      response_url: `${receiver.url}/slackapi/${KEY}/actions/${n}`,
      actions: [{ action_id: "hookline_approve", block_id: "hookline_approval", value: values[0] }],
      container: { type: "message", message_ts: ts },
      message: { ...message, ts },
    });
    expect((await click(payload("U0MALLORY", 1))).status).toBe(200);
    const note = await eventually(async () => (await received()).find((r) => r.path.endsWith("/actions/1")));
    expect(JSON.parse(note.body)).toMatchObject({ response_type: "ephemeral" });
    expect((await api("GET", `/api/v1/namespaces/payments/approvals/${gate.id}`)).status).toBe("pending");

    expect((await click(payload("U0ALICE", 2))).status).toBe(200);
    const update = await eventually(async () => (await received()).find((r) => r.path.endsWith("/actions/2")));
    const updated = JSON.parse(update.body) as { replace_original: boolean; blocks: Block[] };
    expect(updated.replace_original).toBe(true);
    const decided = await api("GET", `/api/v1/namespaces/payments/approvals/${gate.id}`);
    expect(decided.status).toBe("approved");
    expect(decided.decision).toMatchObject({ by: "slack:U0ALICE", via: "slack:release-app" });

    if (process.env.HOOKLINE_SCREENSHOTS === "1" && existsSync(CHROMIUM)) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
      try {
        const page = await browser.newPage({ viewport: { width: 720, height: 400 }, deviceScaleFactor: 2 });
        await page.setContent(
          preview([
            { title: "The request, as hookline posted it:", blocks: message.blocks },
            { title: "After @U0ALICE clicked Approve (updated through response_url):", blocks: updated.blocks },
          ]),
        );
        await page.screenshot({ path: join(root, "docs", "slack-approval.png"), fullPage: true });
      } finally {
        await browser.close();
      }
    }
  }, 90_000);
});
