import { describe, expect, it } from "vitest";
import {
  adminAuth,
  applyBinding,
  binding,
  countRows,
  expectError,
  fakeCluster,
  postEvent,
  putCluster,
} from "./helpers";

const json = { ...adminAuth, "content-type": "application/json" };

describe("a receipt for every event: POST …?wait=", () => {
  it("answers 200 with the outcome and the workflow the cluster created, once the event is evaluated", async () => {
    await fakeCluster.templates("receipts", ["deploy"]);
    await putCluster("default", "argo-server");
    await applyBinding("receipts", binding("on-push", 'payload.ref = "refs/heads/main"', "deploy"));
    const response = await postEvent("receipts/github?wait=20s", JSON.stringify({ ref: "refs/heads/main" }), json);
    expect(response.status, await response.clone().text()).toBe(200);
    const receipt = (await response.json()) as {
      id: string;
      outcome: string;
      results: Array<{ binding: string; matched: boolean; status: string; workflow: string; cluster: string }>;
    };
    expect(response.headers.get("x-hookline-event-id")).toBe(receipt.id);
    expect(receipt.outcome).toBe("submitted");
    const [workflow] = await fakeCluster.workflows("receipts");
    expect(receipt.results).toEqual([
      expect.objectContaining({
        binding: "on-push",
        matched: true,
        status: "submitted",
        workflow: workflow?.name,
        cluster: "default",
      }),
    ]);
  });

  it("answers 202 {id, outcome: pending} when the wait runs out first", async () => {
    const response = await postEvent("receipts/slow?wait=1ms", JSON.stringify({ ref: "x" }), json);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; outcome: string };
    expect(body).toEqual({ id: expect.stringMatching(/^[0-9A-Z]{26}$/), outcome: "pending" });
  });

  it("without wait, the answer stays Argo's: 202 {id} at once", async () => {
    const response = await postEvent("receipts/plain", JSON.stringify({ ref: "x" }), json);
    expect(response.status).toBe(202);
    expect(Object.keys(await response.json())).toEqual(["id"]);
  });

  it("refuses a wait that is not a duration up to 25 s, and queues nothing", async () => {
    const before = await countRows("event_counts", "namespace = 'receipts-bad'");
    for (const wait of ["30s", "abc", "0s", "-1s", ""]) {
      const message = await expectError(
        await postEvent(`receipts-bad/x?wait=${encodeURIComponent(wait)}`, JSON.stringify({ ref: "x" }), json),
        400,
        "invalid_argument",
      );
      expect(message).toMatch(/wait: must be a duration up to 25s/);
    }
    await new Promise((done) => setTimeout(done, 1_500));
    expect(await countRows("event_counts", "namespace = 'receipts-bad'")).toBe(before);
  });
});
