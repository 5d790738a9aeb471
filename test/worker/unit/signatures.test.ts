import { describe, expect, it } from "vitest";
import { verifySignature, type WebhookClientType } from "../../../src/auth/signatures";
import { hmacHeader } from "../helpers";

const client = (type: WebhookClientType, secret: string, requireTimestamp = false) => ({
  type,
  secret,
  requireTimestamp,
});
const body = new TextEncoder().encode('{"zen":"Keep it logically awesome."}');

describe("webhook signature verification", () => {
  it("GitHub: sha256= HMAC of the raw body, hex case-insensitive", async () => {
    const header = await hmacHeader("secret", body);
    expect(
      await verifySignature(client("github", "secret"), new Headers({ "x-hub-signature-256": header }), body),
    ).toBe(true);
    expect(
      await verifySignature(
        client("github", "secret"),
        new Headers({ "x-hub-signature-256": header.toUpperCase().replace("SHA256", "sha256") }),
        body,
      ),
    ).toBe(true);
    expect(await verifySignature(client("github", "other"), new Headers({ "x-hub-signature-256": header }), body)).toBe(
      false,
    );
    expect(
      await verifySignature(
        client("github", "secret"),
        new Headers({ "x-hub-signature-256": header.replace("sha256=", "sha1=") }),
        body,
      ),
    ).toBe(false);
    expect(
      await verifySignature(
        client("github", "secret"),
        new Headers({ "x-hub-signature-256": header.slice(0, -2) }),
        body,
      ),
    ).toBe(false);
    expect(await verifySignature(client("github", "secret"), new Headers(), body)).toBe(false);
  });

  it("GitLab: the token header equals the secret", async () => {
    expect(await verifySignature(client("gitlab", "tok"), new Headers({ "x-gitlab-token": "tok" }), body)).toBe(true);
    expect(await verifySignature(client("gitlab", "tok"), new Headers({ "x-gitlab-token": "tok2" }), body)).toBe(false);
    expect(await verifySignature(client("gitlab", "tok"), new Headers({ "x-gitlab-token": "" }), body)).toBe(false);
  });

  it("Bitbucket Cloud prefers the HMAC header over the legacy UUID", async () => {
    const headers = new Headers({ "x-hub-signature": await hmacHeader("wrong", body), "x-hook-uuid": "secret" });
    expect(await verifySignature(client("bitbucket", "secret"), headers, body)).toBe(false);
  });
});

describe("Standard Webhooks (standard-webhooks spec test vector)", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const payload = new TextEncoder().encode('{"test": 2432232314}');
  const at = 1614265330;
  const headers = (signature: string, timestamp = String(at)) =>
    new Headers({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": timestamp,
      "webhook-signature": signature,
    });
  const valid = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  it("verifies the spec's vector, also among several signatures (key rotation)", async () => {
    const client = { type: "standard-webhooks" as const, secret, requireTimestamp: false };
    expect(await verifySignature(client, headers(valid), payload, at * 1000)).toBe(true);
    expect(await verifySignature(client, headers(`v1,Zm9yZ2VkIHNpZ25hdHVyZQ== ${valid}`), payload, at * 1000)).toBe(
      true,
    );
    expect(await verifySignature(client, headers("v1,Zm9yZ2VkIHNpZ25hdHVyZQ=="), payload, at * 1000)).toBe(false);
    expect(await verifySignature(client, headers(valid.replace("v1,", "v2,")), payload, at * 1000)).toBe(false);
    expect(await verifySignature(client, headers(valid), new TextEncoder().encode('{"test": 1}'), at * 1000)).toBe(
      false,
    );
  });

  it("refuses a timestamp more than five minutes away (a replayed or held delivery)", async () => {
    const client = { type: "standard-webhooks" as const, secret, requireTimestamp: false };
    expect(await verifySignature(client, headers(valid), payload, (at + 299) * 1000)).toBe(true);
    expect(await verifySignature(client, headers(valid), payload, (at + 301) * 1000)).toBe(false);
    expect(await verifySignature(client, headers(valid), payload, (at - 301) * 1000)).toBe(false);
    expect(await verifySignature(client, headers(valid, "not-a-number"), payload, at * 1000)).toBe(false);
  });
});

describe("generic HMAC with a signed timestamp", () => {
  it("signs <timestamp>.<body> when X-Hookline-Timestamp is sent, within five minutes", async () => {
    const now = Date.now();
    const timestamp = String(Math.floor(now / 1000));
    const signed = await hmacHeader("secret", `${timestamp}.${new TextDecoder().decode(body)}`);
    const headers = new Headers({ "x-hookline-signature": signed, "x-hookline-timestamp": timestamp });
    expect(await verifySignature(client("hmac-sha256", "secret"), headers, body, now)).toBe(true);
    expect(await verifySignature(client("hmac-sha256", "secret"), headers, body, now + 301_000)).toBe(false);
    // The body's own signature does not pass for a timestamped delivery (the timestamp is covered).
    const bodyOnly = new Headers({
      "x-hookline-signature": await hmacHeader("secret", body),
      "x-hookline-timestamp": timestamp,
    });
    expect(await verifySignature(client("hmac-sha256", "secret"), bodyOnly, body, now)).toBe(false);
  });

  it("a client that requires the timestamp refuses deliveries without one", async () => {
    const headers = new Headers({ "x-hookline-signature": await hmacHeader("secret", body) });
    expect(await verifySignature(client("hmac-sha256", "secret"), headers, body)).toBe(true);
    expect(await verifySignature(client("hmac-sha256", "secret", true), headers, body)).toBe(false);
  });
});
