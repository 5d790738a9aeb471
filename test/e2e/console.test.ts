import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type RunningWorker, root, startWorker } from "../../scripts/lib/local-worker";
import { type FakeCluster, startFakeCluster } from "../fakes/argo-cluster";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `\n⚠️  ${CHROMIUM} is missing: the web console browser tests are SKIPPED. Install Debian's chromium package (apt-get install chromium) to run them.\n`,
  );
}
/** Screenshots for the docs (docs/console-*.png) are refreshed when HOOKLINE_SCREENSHOTS=1. */
const screenshots = process.env.HOOKLINE_SCREENSHOTS === "1" ? join(root, "docs") : null;

let worker: RunningWorker;
let cluster: FakeCluster;
let browser: Browser;
let page: Page;
let base: string;

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function shot(name: string) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `console-${name}.png`), fullPage: true });
}

describe.skipIf(!hasChromium)("web console in headless Chromium", () => {
  beforeAll(async () => {
    [worker, cluster] = await Promise.all([startWorker(), startFakeCluster()]);
    base = worker.url.replace("127.0.0.1", "localhost");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Everything the console shows comes from the real API.
    await fetch(`${cluster.url}/_fake/templates?namespace=shop`, {
      method: "POST",
      body: JSON.stringify({ names: ["build"] }),
    });
    await fetch(`${cluster.url}/_fake/workflows?namespace=shop`, {
      method: "POST",
      body: JSON.stringify({
        name: "release-7",
        labels: {},
        annotations: {},
        parameters: [],
        template: { kind: "WorkflowTemplate", name: "release" },
        via: "argo-server",
      }),
    });
    await api("PUT", "/api/v1/clusters/default", { type: "argo-server", url: cluster.url, token: cluster.token });
    await api("PUT", "/api/v1/namespaces/shop/workfloweventbindings/ci-on-push", {
      metadata: { name: "ci-on-push" },
      spec: {
        event: { selector: 'discriminator = "github" and payload.ref = "refs/heads/main"' },
        submit: {
          workflowTemplateRef: { name: "build" },
          arguments: { parameters: [{ name: "revision", valueFrom: { event: "payload.after" } }] },
        },
      },
    });
    await api("PUT", "/api/v1/namespaces/shop/approvalpolicies/release", { manual: { required: true } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([worker?.stop(), cluster?.close()]);
  });

  it("signs in with a token and sets a strict session cookie", async () => {
    const response = await page.goto(`${base}/ui`);
    expect(page.url()).toBe(`${base}/ui/login`);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await shot("login");
    await page.fill("input[name=token]", "not-a-token");
    await page.click("button[type=submit]");
    expect(await page.textContent(".notice.error")).toContain("not valid");
    await page.fill("input[name=token]", worker.adminToken);
    await page.click("button[type=submit]");
    expect(page.url()).toBe(`${base}/ui`);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({
      name: "__Host-hookline-session",
      httpOnly: true,
      secure: true,
      sameSite: "Strict",
      path: "/",
    });
  });

  it("shows an event that was just posted, and replays it", async () => {
    const sent = await api("POST", "/api/v1/events/shop/github", { ref: "refs/heads/main", after: "59b20b8d" });
    const id = sent.id as string;
    await eventually(async () =>
      (await api("GET", `/api/v1/namespaces/shop/events/${id}`)).outcome === "submitted" ? true : undefined,
    );
    await page.goto(`${base}/ui`);
    expect(await page.locator("svg.chart polyline").count()).toBe(1);
    await shot("overview");
    await page.goto(`${base}/ui/namespaces/shop/events`);
    await page.click(`a[href="/ui/namespaces/shop/events/${id}"]`);
    expect(await page.textContent("h1")).toContain(id);
    expect(await page.textContent("table")).toContain("ci-on-push");
    expect(await page.textContent("pre")).toContain('"after": "59b20b8d"');
    await shot("event");
    await page.click("text=Replay through today's bindings");
    expect(page.url()).not.toContain(id);
    const replayUrl = page.url();
    await eventually(async () => {
      await page.goto(replayUrl);
      return (await page.textContent("main"))?.includes(`replay of ${id}`) ? true : undefined;
    });
  });

  it("dry-runs a binding from its page", async () => {
    await page.goto(`${base}/ui/namespaces/shop/workfloweventbindings/ci-on-push`);
    expect(await page.inputValue("textarea[name=yaml]")).toContain("ci-on-push");
    await page.fill("textarea[name=payload]", '{"ref": "refs/heads/main", "after": "abc123"}');
    await page.fill("input[name=discriminator]", "github");
    await page.click("text=Test");
    const result = JSON.parse((await page.textContent("#dry-run-result")) ?? "{}") as {
      matched: boolean;
      parameters: Record<string, string>;
      workflow: { name: string };
    };
    expect(result.matched).toBe(true);
    expect(result.parameters).toEqual({ revision: "abc123" });
    expect(result.workflow.name).toMatch(/^build-[0-9a-f]{10}$/);
    await shot("binding");
  });

  it("approves a pending gate; the waiting Argo node is set; a hostile mdMessage does not execute", async () => {
    const gate = await api("POST", "/api/v1/namespaces/shop/approvals", {
      policy: "release",
      subject: { cluster: "default", workflow: "release-7", node: "approve" },
      context: { version: "7" },
    });
    await page.goto(`${base}/ui/namespaces/shop/approvals`);
    await page.click(`a[href="/ui/namespaces/shop/approvals/${gate.id}"]`);
    await shot("approval");
    const hostile =
      'Ship it <script>window.__pwned = 1</script> [click](javascript:window.__pwned=2) <img src=x onerror="window.__pwned=3">';
    await page.fill("textarea[name=message]", hostile);
    await page.click("button[value=true]");
    expect(await page.textContent("h1")).toContain("approved");
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator(".markdown script").count()).toBe(0);
    expect(await page.locator('.markdown a[href^="javascript"]').count()).toBe(0);
    expect(await page.locator(".markdown img").count()).toBe(0);
    expect(await page.textContent(".markdown")).toContain("<script>");
    const sets = await eventually(async () => {
      const body = (await (await fetch(`${cluster.url}/_fake/sets?namespace=shop`)).json()) as {
        sets: Array<{ body: Record<string, unknown> }>;
      };
      return body.sets.length > 0 ? body.sets : undefined;
    });
    expect(sets[0]?.body).toMatchObject({
      name: "release-7",
      nodeFieldSelector: "id=release-7-approve",
      phase: "Succeeded",
      outputParameters: '{"approved":"true"}',
    });
  });

  it("lists notification deliveries", async () => {
    await page.goto(`${base}/ui/notifications/deliveries`);
    expect(await page.textContent("h1")).toBe("Notification deliveries");
    await shot("deliveries");
  });

  it("refuses a form without its CSRF token, and signs out", async () => {
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === "__Host-hookline-session");
    const forged = await fetch(`${worker.url}/ui/namespaces/shop/workfloweventbindings/ci-on-push`, {
      method: "POST",
      headers: { cookie: `${session?.name}=${session?.value}`, "content-type": "application/x-www-form-urlencoded" },
      body: "yaml=metadata%3A%20%7Bname%3A%20ci-on-push%7D",
      redirect: "manual",
    });
    expect(forged.status).toBe(403);
    await page.goto(`${base}/ui`);
    await page.click("text=Sign out");
    expect(page.url()).toBe(`${base}/ui/login`);
    await page.goto(`${base}/ui/namespaces/shop/events`);
    expect(page.url()).toBe(`${base}/ui/login`);
  });

  it("is readable on a phone", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${base}/ui/login`);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await phone.close();
  });
});
