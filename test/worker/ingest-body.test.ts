import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminAuth, bodyKeys, call, countRows, expectError, postEvent, waitForEvent } from "./helpers";

const MAX = Number(env.MAX_BODY_BYTES);
const INLINE = Number(env.INLINE_BODY_LIMIT_BYTES);

/** A JSON string document of exactly `bytes` bytes. */
function jsonOfSize(bytes: number): string {
  return `"${"a".repeat(bytes - 2)}"`;
}

async function accepted(response: Response): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(202);
  return (JSON.parse(text) as { id: string }).id;
}

describe("ingest body: what is accepted", () => {
  it("takes any JSON value whatever the Content-Type says (curl -d sends a form type)", async () => {
    for (const [body, type] of [
      ['{"message": "hello"}', "application/x-www-form-urlencoded"],
      ["[1, 2, 3]", "text/plain"],
      ['"just a string"', "application/json"],
      ["42", ""],
      ["null", "application/octet-stream"],
    ] as const) {
      const id = await accepted(await postEvent("argo/types", body, { ...adminAuth, "content-type": type }));
      expect((await waitForEvent(id)).payload).toBe(body);
    }
  });

  it("keeps x- headers as lowercased lists and drops other headers", async () => {
    const id = await accepted(
      await postEvent("argo/meta", "{}", {
        ...adminAuth,
        "X-Argo-E2E": "true",
        "X-GitHub-Event": "push",
        "User-Agent": "curl",
      }),
    );
    const row = await waitForEvent(id);
    expect(JSON.parse(row.metadata as string)).toEqual({ "x-argo-e2e": ["true"], "x-github-event": ["push"] });
    expect(row.discriminator).toBe("meta");
  });

  it("accepts the namespace endpoint with a trailing slash and without a discriminator", async () => {
    const a = await accepted(await postEvent("argo/", "{}"));
    const b = await accepted(await postEvent("argo", "{}"));
    expect((await waitForEvent(a)).discriminator).toBe("");
    expect((await waitForEvent(b)).discriminator).toBe("");
  });

  it("gives ids that sort by time", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await accepted(await postEvent("argo/order", "{}")));
    expect([...ids].sort()).toEqual(ids);
  });

  it("keeps bodies up to the inline limit in the message (then in its batch's pack) and spills bigger ones to R2", async () => {
    const inline = await accepted(await postEvent("spill/under", jsonOfSize(INLINE - 2)));
    const spilled = await accepted(await postEvent("spill/over", jsonOfSize(INLINE + 1)));
    const inlineRow = await waitForEvent(inline);
    expect(inlineRow.body_key).toMatch(/^packs\//);
    expect(inlineRow.body_length).toBe(INLINE - 2);
    expect((inlineRow.payload as string).length).toBe(INLINE - 2);
    const spilledRow = await waitForEvent(spilled);
    expect(spilledRow.body_key).toBe(`events/spill/${spilled}.json`);
    expect(spilledRow.body_offset).toBeNull();
    expect((spilledRow.payload as string).length).toBe(INLINE + 1);
    expect(await bodyKeys()).toContain(`events/spill/${spilled}.json`);

    // The event log reads the spilled body back from R2.
    const detail = (await (
      await call(`/api/v1/namespaces/spill/events/${spilled}`, { headers: adminAuth })
    ).json()) as {
      payload: string;
    };
    expect(detail.payload.length).toBe(INLINE + 1 - 2);
  });

  it("accepts a body of exactly the maximum size", async () => {
    const id = await accepted(await postEvent("limits/max", jsonOfSize(MAX)));
    expect((await waitForEvent(id)).body_bytes).toBe(MAX);
  });

  it("accepts JSON nested exactly to the depth limit", async () => {
    const depth = Number(env.MAX_JSON_DEPTH);
    await accepted(await postEvent("limits/deep", `${"[".repeat(depth)}${"]".repeat(depth)}`));
  });
});

describe("ingest body: what is refused (and leaves nothing behind)", () => {
  async function refused(response: Response, status: number, code: string): Promise<string> {
    const message = await expectError(response, status, code);
    return message;
  }

  it("refuses invalid JSON, an empty body and a form without a payload field", async () => {
    await refused(await postEvent("bad/x", "{not json"), 400, "invalid_argument");
    await refused(await postEvent("bad/x", ""), 400, "invalid_argument");
    await refused(
      await postEvent("bad/x", "a=1&b=2", { ...adminAuth, "content-type": "application/x-www-form-urlencoded" }),
      400,
      "invalid_argument",
    );
    await refused(
      await postEvent("bad/x", "payload=%7Bnope", {
        ...adminAuth,
        "content-type": "application/x-www-form-urlencoded",
      }),
      400,
      "invalid_argument",
    );
  });

  it("refuses a body that is not UTF-8", async () => {
    const message = await refused(
      await postEvent("bad/x", new Uint8Array([0x22, 0xff, 0xfe, 0x22])),
      400,
      "invalid_argument",
    );
    expect(message).toContain("UTF-8");
  });

  it("refuses JSON nested one level deeper than the limit", async () => {
    const depth = Number(env.MAX_JSON_DEPTH) + 1;
    await refused(await postEvent("bad/x", `${"[".repeat(depth)}${"]".repeat(depth)}`), 400, "invalid_argument");
    const hugeDepth = 100_000;
    await refused(
      await postEvent("bad/x", `${'{"a":'.repeat(hugeDepth)}1${"}".repeat(hugeDepth)}`),
      400,
      "invalid_argument",
    );
  });

  it("refuses a body one byte over the maximum with 413", async () => {
    await refused(await postEvent("refused/over", jsonOfSize(MAX + 1)), 413, "payload_too_large");
  });

  it("refuses an over-limit chunked body with 413 without reading the whole stream", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 1000) controller.close();
        else controller.enqueue(chunk);
      },
    });
    await refused(await postEvent("refused/stream", stream), 413, "payload_too_large");
    expect(pulled).toBeLessThan(20);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const response = await call("/api/v1/events/refused/declared", {
      method: "POST",
      headers: { ...adminAuth, "content-length": String(MAX + 1) },
      body: new Uint8Array(MAX + 1),
    });
    await refused(response, 413, "payload_too_large");
  });

  it("refuses bad namespaces and discriminators with 400", async () => {
    for (const path of ["Bad_NS/x", `${"a".repeat(64)}/x`, "-ns/x", "ns/has%20space", `ns/${"d".repeat(254)}`]) {
      await refused(await postEvent(path, "{}"), 400, "invalid_argument");
    }
  });

  it("records nothing for any refused request", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await countRows("event_log", "namespace IN ('bad', 'ns', 'refused')")).toBe(0);
    expect(await countRows("event_counts", "namespace IN ('bad', 'ns', 'refused')")).toBe(0);
    expect((await bodyKeys()).filter((key) => /^events\/(bad|ns|refused)\//.test(key))).toEqual([]);
  });
});
