// What the end-to-end tests share: the admin's API calls, Slack's signed clicks, and what the
// fake chat services received.
import { createHmac } from "node:crypto";
import type { RunningWorker } from "../../scripts/lib/local-worker";

/** Calls the Worker's API as the admin; throws on any answer from 300 up. */
export function adminApi(worker: () => RunningWorker) {
  return async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const running = worker();
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${running.adminToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
}

/** What the receiver (test/fakes/receiver.ts) recorded under `key`. */
export async function receivedRequests(
  receiverUrl: string,
  key: string,
): Promise<Array<{ path: string; body: string; answer?: string }>> {
  const response = await fetch(`${receiverUrl}/_receiver/requests?key=${key}`);
  return ((await response.json()) as { requests: Array<{ path: string; body: string; answer?: string }> }).requests;
}

/** Posts a click the way Slack does: form-encoded `payload`, v0-signed with the app's signing secret. */
export function slackClick(workerUrl: string, signingSecret: string, payload: unknown): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return fetch(`${workerUrl}/callbacks/slack/interactions`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    },
    body,
  });
}
