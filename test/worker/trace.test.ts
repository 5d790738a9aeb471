import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { GateView } from "../../src/approvals/gate-view";
import {
  adminAuth,
  applyBinding,
  binding,
  call,
  callJson,
  expectError,
  fakeCluster,
  postEvent,
  putCluster,
  receiver,
  waitForEvent,
} from "./helpers";

// One trace id from the sender to the workflow, the approval gate and the messages sent.

const NS = "traced";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const STORY = "5c1e7f0b2d8a4e6f9a3b1c2d3e4f5a6b";
const json = { ...adminAuth, "content-type": "application/json" };

describe("one trace id from sender to workflow to approval to message", () => {
  it("an event keeps its sender's traceparent; its workflow carries it as an annotation and a traceparent", async () => {
    await fakeCluster.templates(NS, ["deploy"]);
    await putCluster("default", "argo-server");
    await applyBinding(NS, binding("on-push", 'payload.ref = "refs/heads/main"', "deploy"));
    const response = await postEvent(`${NS}/github`, JSON.stringify({ ref: "refs/heads/main" }), {
      ...json,
      traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-hookline-trace-id")).toBe(TRACE);
    const { id } = (await response.json()) as { id: string };
    const row = await waitForEvent(id);
    expect(row.trace_id).toBe(TRACE);
    const workflow = await vi.waitFor(
      async () => {
        const [found] = await fakeCluster.workflows(NS);
        if (!found) throw new Error("no workflow yet");
        return found as unknown as { annotations: Record<string, string>; traceparent?: string };
      },
      { timeout: 10_000 },
    );
    expect(workflow.annotations["hookline.dev/trace-id"]).toBe(TRACE);
    // Passed on with a new parent id: the Argo Server's span is a child of the sender's.
    expect(workflow.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(workflow.traceparent).not.toBe(`00-${TRACE}-00f067aa0ba902b7-01`);
    const detail = (await (await call(`/api/v1/namespaces/${NS}/events/${id}`, { headers: adminAuth })).json()) as {
      traceId: string;
    };
    expect(detail.traceId).toBe(TRACE);
    const listed = (await (
      await call(`/api/v1/namespaces/${NS}/events?traceId=${TRACE}`, { headers: adminAuth })
    ).json()) as { items: Array<{ id: string }> };
    expect(listed.items.map((event) => event.id)).toContain(id);
  });

  it("an event without a (valid) traceparent gets a new trace id", async () => {
    for (const traceparent of [
      undefined,
      "garbage",
      `ff-${TRACE}-00f067aa0ba902b7-01`,
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
    ]) {
      const response = await postEvent(`${NS}/plain`, "{}", {
        ...json,
        ...(traceparent ? { traceparent } : {}),
      });
      expect(response.status).toBe(202);
      const traceId = response.headers.get("x-hookline-trace-id") ?? "";
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(traceId).not.toBe(TRACE);
      expect(traceId).not.toBe("0".repeat(32));
    }
  });

  it("a gate joins the trace it is created in, and its notifications carry it", async () => {
    await callJson("/api/v1/notifications/services/trace-hook", "PUT", {
      type: "webhook",
      url: receiver.hook("trace-requested"),
    });
    await callJson("/api/v1/notifications/subscriptions/trace-requests", "PUT", {
      selector: `app.namespace = "${NS}"`,
      triggers: ["on-approval-requested"],
      destinations: [{ service: "trace-hook" }],
    });
    const policy = await callJson(`/api/v1/namespaces/${NS}/approvalpolicies/release`, "PUT", {
      manual: { required: true },
    });
    expect([200, 201]).toContain(policy.status);
    // From the workflow: `traceId: "{{workflow.annotations.hookline.dev/trace-id}}"`.
    const fromField = (await (
      await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy: "release", traceId: TRACE })
    ).json()) as GateView;
    expect(fromField.traceId).toBe(TRACE);
    // Or a traceparent header.
    const other = "0af7651916cd43dd8448eb211c80319c";
    const fromHeader = (await (
      await call(`/api/v1/namespaces/${NS}/approvals`, {
        method: "POST",
        headers: { ...json, traceparent: `00-${other}-b7ad6b7169203331-01` },
        body: JSON.stringify({ policy: "release" }),
      })
    ).json()) as GateView;
    expect(fromHeader.traceId).toBe(other);

    const byTrace = await vi.waitFor(
      async () => {
        const listed = (await (
          await call(`/api/v1/namespaces/${NS}/approvals?traceId=${TRACE}`, { headers: adminAuth })
        ).json()) as { items: Array<{ id: string; traceId: string }> };
        if (listed.items.length === 0) throw new Error("mirror not written yet");
        return listed.items;
      },
      { timeout: 10_000 },
    );
    expect(byTrace.map((gate) => gate.id)).toEqual([fromField.id]);
    const deliveries = await vi.waitFor(
      async () => {
        const listed = (await (
          await call(`/api/v1/notifications/deliveries?traceId=${TRACE}`, { headers: adminAuth })
        ).json()) as { items: Array<{ traceId: string; trigger: string; status: string }> };
        if (listed.items.length === 0) throw new Error("no delivery yet");
        return listed.items;
      },
      { timeout: 10_000 },
    );
    expect(deliveries[0]).toMatchObject({ traceId: TRACE, trigger: "on-approval-requested" });
  });

  it("the console's event page links the event to its workflows, gates and notifications", async () => {
    const sent = await postEvent(`${NS}/github`, JSON.stringify({ ref: "refs/heads/main" }), {
      ...json,
      traceparent: `00-${STORY}-00f067aa0ba902b7-01`,
    });
    const { id } = (await sent.json()) as { id: string };
    await waitForEvent(id);
    const gate = (await (
      await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy: "release", traceId: STORY })
    ).json()) as GateView;
    const login = await call("/ui/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: env.HOOKLINE_ADMIN_TOKEN }).toString(),
      redirect: "manual",
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const html = await vi.waitFor(
      async () => {
        const text = await (await call(`/ui/namespaces/${NS}/events/${id}`, { headers: { cookie } })).text();
        if (!text.includes(`/ui/namespaces/${NS}/approvals/${gate.id}`)) throw new Error("gate not linked yet");
        if (!text.includes("on-approval-requested → trace-hook")) throw new Error("delivery not linked yet");
        return text;
      },
      { timeout: 10_000 },
    );
    expect(html).toContain(`trace ${STORY}`);
    expect(html).toContain("Approvals in this trace");
    const gatePage = await (await call(`/ui/namespaces/${NS}/approvals/${gate.id}`, { headers: { cookie } })).text();
    expect(gatePage).toContain(`/ui/namespaces/${NS}/events?traceId=${STORY}`);
    const events = await (await call(`/ui/namespaces/${NS}/events?traceId=${STORY}`, { headers: { cookie } })).text();
    expect(events).toContain(id);
  });

  it("refuses a trace id that is not one", async () => {
    for (const traceId of ["xyz", TRACE.toUpperCase(), "0".repeat(32), `${TRACE}00`]) {
      await expectError(
        await callJson(`/api/v1/namespaces/${NS}/approvals`, "POST", { policy: "release", traceId }),
        400,
        "invalid_argument",
      );
    }
    await expectError(
      await call(`/api/v1/namespaces/${NS}/events?traceId=nope`, { headers: adminAuth }),
      400,
      "invalid_argument",
    );
    await expectError(
      await call("/api/v1/notifications/deliveries?traceId=nope", { headers: adminAuth }),
      400,
      "invalid_argument",
    );
  });
});
