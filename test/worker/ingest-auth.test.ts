import { describe, expect, it } from "vitest";
import {
  adminAuth,
  bearer,
  bodyKeys,
  call,
  countRows,
  createToken,
  expectError,
  hmacHeader,
  postEvent,
  putWebhookClient,
  waitForEvent,
} from "./helpers";

const payload = JSON.stringify({ message: "hello" });

async function expectAccepted(response: Response): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(202);
  const { id } = JSON.parse(text) as { id: string };
  expect(response.headers.get("x-hookline-event-id")).toBe(id);
  return id;
}

describe("ingest auth: bearer tokens", () => {
  it("accepts the admin token with or without the Bearer prefix (as Argo clients send it)", async () => {
    await expectAccepted(await postEvent("argo/with-prefix", payload));
    await expectAccepted(
      await postEvent("argo/bare", payload, { authorization: adminAuth.authorization.replace("Bearer ", "") }),
    );
  });

  it("accepts an API token with events:write in the namespace", async () => {
    const token = await createToken({ name: "writer", namespaces: ["team-a"], scopes: ["events:write"] });
    const id = await expectAccepted(await postEvent("team-a/push", payload, bearer(token)));
    const row = await waitForEvent(id);
    expect(row.sender).toBe("token:writer");
  });

  it("refuses no token, a wrong token and a forged token with 401, recording nothing", async () => {
    const before = (await countRows("event_log")) + (await countRows("event_counts"));
    await expectError(await postEvent("team-a/x", payload, {}), 401, "unauthenticated");
    await expectError(await postEvent("team-a/x", payload, bearer("nope")), 401, "unauthenticated");
    const token = await createToken({ name: "forge-me", namespaces: ["team-a"], scopes: ["events:write"] });
    await expectError(await postEvent("team-a/x", payload, bearer(`${token.slice(0, -1)}x`)), 401, "unauthenticated");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await countRows("event_log")) + (await countRows("event_counts"))).toBe(before);
  });

  it("refuses a forged secret on a token's id after the real token was verified (and accepts the real one again)", async () => {
    const token = await createToken({ name: "verified-once", namespaces: ["team-a"], scopes: ["events:write"] });
    await expectAccepted(await postEvent("team-a/x", payload, bearer(token)));
    const forged = `${token.slice(0, -1)}${token.endsWith("x") ? "y" : "x"}`;
    await expectError(await postEvent("team-a/x", payload, bearer(forged)), 401, "unauthenticated");
    await expectError(await postEvent("team-a/x", payload, bearer(`${token}x`)), 401, "unauthenticated");
    await expectAccepted(await postEvent("team-a/x", payload, { authorization: `  bearer   ${token} ` }));
    await expectAccepted(await postEvent("team-a/x", payload, bearer(token)));
  });

  it("refuses a token for another namespace with 403", async () => {
    const token = await createToken({ name: "team-b-only", namespaces: ["team-b"], scopes: ["events:write"] });
    await expectError(await postEvent("team-a/x", payload, bearer(token)), 403, "permission_denied");
  });

  it("refuses a token without events:write with 403", async () => {
    const token = await createToken({ name: "reader", namespaces: ["*"], scopes: ["events:read", "bindings:write"] });
    await expectError(await postEvent("team-a/x", payload, bearer(token)), 403, "permission_denied");
  });

  it("a wildcard-namespace token may send to any namespace", async () => {
    const token = await createToken({ name: "everywhere", namespaces: ["*"], scopes: ["events:write"] });
    await expectAccepted(await postEvent("any-ns/x", payload, bearer(token)));
  });
});

describe("ingest auth: webhook signatures", () => {
  const secret = "it-is-a-webhook-secret";

  it("GitHub: valid X-Hub-Signature-256 is accepted as the client; forged and missing are 401", async () => {
    await putWebhookClient("gh", "github", "github", secret);
    const id = await expectAccepted(
      await postEvent("gh/github", payload, {
        "x-hub-signature-256": await hmacHeader(secret, payload),
        "x-github-event": "push",
        "content-type": "application/json",
      }),
    );
    expect((await waitForEvent(id)).sender).toBe("client:gh/github");
    await expectError(
      await postEvent("gh/github", payload, { "x-hub-signature-256": await hmacHeader("wrong-secret", payload) }),
      401,
      "unauthenticated",
    );
    await expectError(
      await postEvent("gh/github", `${payload} `, { "x-hub-signature-256": await hmacHeader(secret, payload) }),
      401,
      "unauthenticated",
    );
    await expectError(
      await postEvent("gh/github", payload, { "x-hub-signature-256": "sha256=zz" }),
      401,
      "unauthenticated",
    );
    await expectError(await postEvent("gh/github", payload, { "x-github-event": "push" }), 401, "unauthenticated");
  });

  it("GitHub form-encoded delivery: the signature covers the form body, the payload is unwrapped", async () => {
    await putWebhookClient("gh-form", "github", "github", secret);
    const form = `payload=${encodeURIComponent(payload)}`;
    const id = await expectAccepted(
      await postEvent("gh-form/github", form, {
        "x-hub-signature-256": await hmacHeader(secret, form),
        "content-type": "application/x-www-form-urlencoded",
      }),
    );
    expect(JSON.parse((await waitForEvent(id)).payload as string)).toEqual({ message: "hello" });
  });

  it("a signature only authenticates for its own namespace", async () => {
    await putWebhookClient("ns-one", "github", "github", secret);
    await expectError(
      await postEvent("ns-two/github", payload, { "x-hub-signature-256": await hmacHeader(secret, payload) }),
      401,
      "unauthenticated",
    );
  });

  it("GitLab: X-Gitlab-Token equal to the secret; the token never reaches the event's metadata", async () => {
    await putWebhookClient("gl", "gitlab", "gitlab", secret);
    const id = await expectAccepted(
      await postEvent("gl/gitlab", payload, { "x-gitlab-token": secret, "x-gitlab-event": "Push Hook" }),
    );
    const row = await waitForEvent(id);
    expect(row.sender).toBe("client:gl/gitlab");
    expect(JSON.parse(row.metadata as string)).toEqual({ "x-gitlab-event": ["Push Hook"] });
    await expectError(
      await postEvent("gl/gitlab", payload, { "x-gitlab-token": `${secret}x` }),
      401,
      "unauthenticated",
    );
  });

  it("Bitbucket Cloud: X-Hub-Signature HMAC, or the legacy X-Hook-UUID", async () => {
    await putWebhookClient("bb", "bitbucket", "bitbucket", secret);
    await expectAccepted(
      await postEvent("bb/bitbucket", payload, { "x-hub-signature": await hmacHeader(secret, payload) }),
    );
    await expectAccepted(await postEvent("bb/bitbucket", payload, { "x-hook-uuid": secret }));
    await expectError(await postEvent("bb/bitbucket", payload, { "x-hook-uuid": "not-it" }), 401, "unauthenticated");
    await expectError(
      await postEvent("bb/bitbucket", payload, { "x-hub-signature": await hmacHeader("nope", payload) }),
      401,
      "unauthenticated",
    );
  });

  it("Bitbucket Server: X-Hub-Signature HMAC", async () => {
    await putWebhookClient("bbs", "bitbucketserver", "bitbucketserver", secret);
    await expectAccepted(await postEvent("bbs/x", payload, { "x-hub-signature": await hmacHeader(secret, payload) }));
    await expectError(
      await postEvent("bbs/x", payload, { "x-hub-signature": await hmacHeader("nope", payload) }),
      401,
      "unauthenticated",
    );
    await expectError(await postEvent("bbs/x", payload, { "x-hook-uuid": secret }), 401, "unauthenticated");
  });

  it("generic hmac-sha256: X-Hookline-Signature", async () => {
    await putWebhookClient("generic", "ci", "hmac-sha256", secret);
    await expectAccepted(
      await postEvent("generic/ci", payload, { "x-hookline-signature": await hmacHeader(secret, payload) }),
    );
    await expectError(
      await postEvent("generic/ci", payload, { "x-hookline-signature": await hmacHeader(secret, "other") }),
      401,
      "unauthenticated",
    );
  });

  it("a client of another type is not tried with a different sender's header", async () => {
    await putWebhookClient("typed", "gitlab", "gitlab", secret);
    await expectError(
      await postEvent("typed/x", payload, { "x-hub-signature-256": await hmacHeader(secret, payload) }),
      401,
      "unauthenticated",
    );
  });

  it("a deleted client stops authenticating at once", async () => {
    await putWebhookClient("gone", "github", "github", secret);
    const headers = { "x-hub-signature-256": await hmacHeader(secret, payload) };
    await expectAccepted(await postEvent("gone/x", payload, headers));
    await call("/api/v1/namespaces/gone/webhookclients/github", { method: "DELETE", headers: adminAuth });
    await expectError(await postEvent("gone/x", payload, headers), 401, "unauthenticated");
  });

  it("a refused signed request leaves nothing in R2", async () => {
    await putWebhookClient("big", "github", "github", secret);
    const big = JSON.stringify({ blob: "x".repeat(200_000) });
    await expectError(
      await postEvent("big/x", big, { "x-hub-signature-256": await hmacHeader("wrong", big) }),
      401,
      "unauthenticated",
    );
    expect((await bodyKeys()).filter((key) => key.startsWith("events/big/"))).toEqual([]);
  });
});
