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
