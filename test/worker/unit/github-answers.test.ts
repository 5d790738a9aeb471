import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decider } from "../../../src/approvals/approvers";
import {
  decideManually,
  type GateState,
  type GitHubDeploymentInit,
  MAX_GITHUB_ATTEMPTS,
  openGate,
  type Plan,
  recordGitHubAnswer,
  timeOut,
} from "../../../src/approvals/gate-state";
import { appJwt, pkcs1ToPkcs8, privateKeyDer } from "../../../src/approvals/github-app";
import { callbackRefusal, MAX_COMMENT_LENGTH, reviewOf } from "../../../src/approvals/github-callback";
import type { StoredPolicy } from "../../../src/approvals/policy";
import { fromBase64Url, toBase64Url } from "../../../src/lib/crypto";
import { fail, ok } from "../../../src/lib/result";

// The pure rules behind answering GitHub: where an answer may go, what it says, when the gate
// sends it (once, after the decision), how retries are counted, and the App JWT's shape.

const API = "https://api.github.com";
const GHES = "https://ghe.example.com/api/v3";
const review = (api: string, repo = "octo-org/payments", run = "42") =>
  `${api}/repos/${repo}/actions/runs/${run}/deployment_protection_rule`;

describe("callbackRefusal: only GitHub's review endpoint on the App's API, for the delivery's repository", () => {
  it("takes the review endpoint under apiUrl (github.com and GitHub Enterprise Server's /api/v3)", () => {
    expect(callbackRefusal(API, review(API), "octo-org/payments")).toBeNull();
    expect(callbackRefusal(GHES, review(GHES), "Octo-Org/Payments")).toBeNull();
  });

  it.each([
    ["another origin", review("https://evil.example.com")],
    ["another scheme", review("http://api.github.com")],
    ["another port", review("https://api.github.com:8443")],
    ["a lookalike host", review("https://api.github.com.evil.example")],
    ["credentials", review("https://x:y@api.github.com")],
    ["a query", `${review(API)}?next=https://evil.example`],
    ["a fragment", `${review(API)}#x`],
    ["another endpoint", `${API}/repos/octo-org/payments/actions/runs/42/pending_deployments`],
    ["a trailing segment", `${review(API)}/x`],
    ["an encoded slash", `${API}/repos/octo-org%2Fother/payments/actions/runs/42/deployment_protection_rule`],
    ["not a URL", "deployment_protection_rule"],
  ])("refuses %s", (_, url) => {
    expect(callbackRefusal(API, url, "octo-org/payments")).toContain("nothing is sent there");
  });

  it("refuses a GitHub Enterprise Server URL outside the API's path, however it is spelled", () => {
    expect(callbackRefusal(GHES, review("https://ghe.example.com"), "octo-org/payments")).not.toBeNull();
    expect(callbackRefusal(GHES, review(`${GHES}/../..`), "octo-org/payments")).not.toBeNull();
    expect(callbackRefusal(GHES, review("https://ghe.example.com/api/v3x"), "octo-org/payments")).not.toBeNull();
  });

  it("refuses the review endpoint of another repository than the delivery's", () => {
    expect(callbackRefusal(API, review(API, "octo-org/other"), "octo-org/payments")).toContain("another repository");
  });
});

const policy: StoredPolicy = {
  name: "deploys",
  namespace: "payments",
  webhooks: [],
  manual: { required: true, approvers: ["console:*", "slack:U0ALICE"], quorum: 2 },
  github: {
    appId: 1,
    privateKeySealed: "v1:x",
    webhookSecretSealed: "v1:y",
    environments: ["production"],
    apiUrl: API,
  },
  timeout: "24h",
  timeoutMs: 86_400_000,
  onDecision: { setNode: true, outputParameter: "approved" },
  createdAt: "2026-12-05T00:00:00Z",
  updatedAt: "2026-12-05T00:00:00Z",
};

const deployment: GitHubDeploymentInit = {
  delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
  installationId: 7,
  repositoryId: 8,
  repository: "octo-org/payments",
  environment: "Production",
  callbackUrl: review(API),
  refusal: null,
};

function gate(github: GitHubDeploymentInit = deployment): { state: GateState; plan: Plan } {
  return openGate(
    {
      id: "g".repeat(46),
      namespace: "payments",
      policy,
      subject: null,
      context: {},
      publicUrl: "https://hookline.test",
      traceId: "1".repeat(32),
      callbacks: new Map(),
      messages: [{ service: "slack", recipient: "deploys", id: "m".repeat(22), links: { approve: "a", reject: "r" } }],
      github,
    },
    0,
  );
}

const person = (name: string): Decider => ({ by: `token:${name}`, via: "api", identities: [`console:${name}`] });

describe("the gate answers GitHub once, after its decision", () => {
  it("waits while pending; schedules one answer when the quorum decides", () => {
    const { state, plan } = gate();
    expect(state.github).toMatchObject({ phase: "waiting", state: null });
    expect(plan.schedule.map(([key]) => key)).not.toContain("github");
    const first = decideManually(state, true, "", person("ana"), 1);
    expect(first.plan.schedule.map(([key]) => key)).not.toContain("github");
    const second = decideManually(state, true, "lgtm", person("bo"), 2);
    expect(second.plan.schedule).toContainEqual(["github", 2]);
    expect(state.github).toMatchObject({ phase: "posting", state: "approved" });
    const answer = reviewOf(state);
    expect(answer).toEqual({
      environment_name: "Production",
      state: "approved",
      comment: expect.stringMatching(
        /^Approved in hookline by token:ana \(api\), token:bo \(api\)\. Policy payments\/deploys/,
      ),
    });
  });

  it("any other outcome is answered rejected: a rejection names who, a timeout says so", () => {
    const rejected = gate().state;
    decideManually(rejected, false, "no", person("ana"), 1);
    expect(reviewOf(rejected)).toMatchObject({
      state: "rejected",
      comment: expect.stringMatching(/^Rejected in hookline by token:ana \(api\)\./),
    });
    const late = gate().state;
    timeOut(late, late.expiresAt);
    expect(late.github?.phase).toBe("posting");
    expect(reviewOf(late)).toMatchObject({
      state: "rejected",
      comment: expect.stringMatching(/^Timed out in hookline: no decision within 24h\./),
    });
  });

  it("a comment never exceeds GitHub's 1,024 characters, and the approver's message stays on one quoted line", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (message) => {
        const { state } = gate();
        decideManually(state, false, message, person("ana"), 1);
        const comment = reviewOf(state)?.comment ?? "";
        expect(comment.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
        expect(comment.split("\n\n").length).toBeLessThanOrEqual(2);
      }),
    );
  });

  it("whatever people try afterwards, the answer is scheduled once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ approve: fc.boolean(), who: fc.constantFrom("ana", "bo", "cy") }), { maxLength: 12 }),
        (attempts) => {
          const { state } = gate();
          let scheduled = 0;
          attempts.forEach(({ approve, who }, index) => {
            const { plan } = decideManually(state, approve, "", person(who), index + 1);
            scheduled += plan.schedule.filter(([key]) => key === "github").length;
          });
          expect(scheduled).toBe(state.status === "pending" ? 0 : 1);
        },
      ),
    );
  });

  it("a refused callback URL fails the gate as it opens: recorded, no answer, nothing sent", () => {
    const { state, plan } = gate({ ...deployment, refusal: "not GitHub's review endpoint; nothing is sent there" });
    expect(state.status).toBe("failed");
    expect(state.github).toMatchObject({ phase: "refused", lastError: expect.stringContaining("nothing is sent") });
    expect(state.audit).toEqual([expect.objectContaining({ by: "github", action: "fail", counted: true })]);
    const keys = plan.schedule.map(([key]) => key);
    expect(keys.filter((key) => key === "github" || key.startsWith("chat:") || key === "timeout")).toEqual([]);
    expect(keys).toContain("mirror");
    expect(decideManually(state, true, "", person("ana"), 1).result.ok).toBe(false);
    expect(state.github?.phase).toBe("refused");
  });

  it("retries count real attempts with backoff; a permanent refusal or the last attempt fails it", () => {
    const decided = () => {
      const { state } = gate();
      decideManually(state, false, "", person("ana"), 1);
      return state;
    };
    const retried = decided();
    const plan = recordGitHubAnswer(retried, fail("internal", "502", { retryable: true }), (n) => n * 1000, 10);
    expect(plan.schedule).toEqual([["github", 1010]]);
    expect(retried.github).toMatchObject({ phase: "posting", attempts: 1, lastError: "502" });
    expect(recordGitHubAnswer(retried, ok(true), () => 1000, 20).unschedule).toEqual(["github"]);
    expect(retried.github).toMatchObject({ phase: "posted", attempts: 2, lastError: null });
    // Posted once: more work changes nothing.
    expect(recordGitHubAnswer(retried, ok(true), () => 1000, 30)).toEqual({ schedule: [], unschedule: ["github"] });
    expect(retried.github?.attempts).toBe(2);

    const refused = decided();
    recordGitHubAnswer(refused, fail("internal", "422 No pending deployment"), () => 1000, 10);
    expect(refused.github).toMatchObject({ phase: "failed", attempts: 1 });

    const exhausted = decided();
    for (let attempt = 0; attempt < MAX_GITHUB_ATTEMPTS; attempt++)
      recordGitHubAnswer(exhausted, fail("internal", "503", { retryable: true }), () => 1000, attempt);
    expect(exhausted.github).toMatchObject({ phase: "failed", attempts: MAX_GITHUB_ATTEMPTS });
  });
});

describe("the App's key and JWT", () => {
  it("wraps PKCS#1 in PKCS#8 with DER lengths of every size", () => {
    /** A DER element's tag, content offset and content length at `at`. */
    const element = (bytes: Uint8Array, at: number) => {
      const first = bytes[at + 1] ?? 0;
      if (first < 0x80) return { tag: bytes[at], start: at + 2, length: first };
      const count = first & 0x7f;
      let length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[at + 2 + i] ?? 0);
      return { tag: bytes[at], start: at + 2 + count, length };
    };
    for (const size of [100, 200, 1190, 70_000]) {
      const key = new Uint8Array(size).fill(7);
      const wrapped = pkcs1ToPkcs8(key);
      const outer = element(wrapped, 0);
      expect(outer.tag).toBe(0x30);
      expect(outer.start + outer.length).toBe(wrapped.byteLength);
      // version 0, then rsaEncryption with NULL parameters, then the key as an OCTET STRING.
      const body = wrapped.subarray(outer.start);
      expect([...body.subarray(0, 3)]).toEqual([0x02, 0x01, 0x00]);
      expect([...body.subarray(3, 18)]).toEqual([
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
      ]);
      const octets = element(body, 18);
      expect(octets).toMatchObject({ tag: 0x04, length: size });
      expect(body.subarray(octets.start)).toEqual(key);
    }
  });

  it("reads PEM private keys of both kinds and nothing else", async () => {
    const pair = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const pem = (label: string, der: Uint8Array) =>
      `-----BEGIN ${label}-----\n${btoa(String.fromCharCode(...der)).replace(/(.{64})/g, "$1\n")}\n-----END ${label}-----\n`;
    expect(privateKeyDer(pem("PRIVATE KEY", pkcs8))).toEqual(pkcs8);
    expect(privateKeyDer(pem("PUBLIC KEY", pkcs8))).toBeNull();
    expect(privateKeyDer(`-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----`)).toBeNull();
    expect(privateKeyDer("ssh-rsa AAAAB3NzaC1yc2E")).toBeNull();

    // An App JWT: RS256, iss the App id (a string), iat a minute back, exp nine minutes ahead.
    const now = 1_760_000_000_000;
    const jwt = await appJwt(123456, pair.privateKey, now);
    const [header = "", claims = "", signature = ""] = jwt.split(".");
    const decode = (part: string) => JSON.parse(new TextDecoder().decode(fromBase64Url(part) ?? new Uint8Array()));
    expect(decode(header)).toEqual({ alg: "RS256", typ: "JWT" });
    expect(decode(claims)).toEqual({ iat: now / 1000 - 60, exp: now / 1000 + 540, iss: "123456" });
    const signed = new TextEncoder().encode(`${header}.${claims}`);
    expect(
      await crypto.subtle.verify(
        "RSASSA-PKCS1-v1_5",
        pair.publicKey,
        fromBase64Url(signature) ?? new Uint8Array(),
        signed,
      ),
    ).toBe(true);
    expect(toBase64Url(fromBase64Url(signature) ?? new Uint8Array())).toBe(signature);
  });
});
