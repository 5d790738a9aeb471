import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { renderMarkdown } from "../../src/ui/markdown";
import { adminAuth, applyBinding, binding, call, createToken } from "./helpers";

async function signIn(token: string): Promise<string> {
  const response = await call("/ui/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  const cookie = response.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/^__Host-hookline-session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Strict/);
  return cookie.split(";")[0] ?? "";
}

const page = (path: string, cookie: string, init: RequestInit = {}) =>
  call(path, { ...init, headers: { cookie, ...(init.headers ?? {}) }, redirect: "manual" });

describe("console sessions and security headers", () => {
  it("redirects to the sign-in page without a session, and refuses bad or tampered credentials", async () => {
    const anonymous = await call("/ui/namespaces/a/events", { redirect: "manual" });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/ui/login");
    const login = await call("/ui/login");
    expect(login.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(login.headers.get("x-frame-options")).toBe("DENY");
    expect(await login.text()).toMatch(/<input id="token" type="password" name="token"/);
    const bad = await call("/ui/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "token=nope",
    });
    expect(bad.status).toBe(401);
    const cookie = await signIn(env.HOOKLINE_ADMIN_TOKEN);
    // A character in the middle of the signature (the last one may only carry base64 padding bits).
    const at = cookie.length - 10;
    const tampered = `${cookie.slice(0, at)}${cookie[at] === "A" ? "B" : "A"}${cookie.slice(at + 1)}`;
    expect((await page("/ui", tampered)).headers.get("location")).toBe("/ui/login");
    expect((await page("/ui", cookie)).status).toBe(200);
  });

  it("refuses form posts without the session's CSRF token or from another origin", async () => {
    const cookie = await signIn(env.HOOKLINE_ADMIN_TOKEN);
    const post = (body: string, headers: Record<string, string> = {}) =>
      page("/ui/notifications/deliveries/x/retry", cookie, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
    expect((await post("")).status).toBe(403);
    expect((await post("_csrf=forged")).status).toBe(403);
    const html = await (await page("/ui", cookie)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    expect((await post(`_csrf=${encodeURIComponent(csrf)}`, { origin: "https://evil.example.com" })).status).toBe(403);
    expect((await post(`_csrf=${encodeURIComponent(csrf)}`)).status).toBe(404);
  });

  it("pauses a binding only from its own site with the CSRF token; a refusal's page keeps the security headers", async () => {
    await applyBinding("csrf-pause", binding("held", "true", "build"));
    const cookie = await signIn(env.HOOKLINE_ADMIN_TOKEN);
    const html = await (await page("/ui", cookie)).text();
    const csrf = encodeURIComponent(/name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "");
    const pause = (body: string, headers: Record<string, string> = {}) =>
      page("/ui/namespaces/csrf-pause/workfloweventbindings/held/pause", cookie, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
    const paused = async () => {
      const stored = await call("/api/v1/namespaces/csrf-pause/workfloweventbindings/held", { headers: adminAuth });
      return ((await stored.json()) as { spec: { paused?: boolean } }).spec.paused === true;
    };
    for (const refused of [
      await pause("_csrf=forged"),
      await pause(`_csrf=${csrf}`, { origin: "https://evil.example.com" }),
    ]) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(refused.headers.get("x-frame-options")).toBe("DENY");
      expect(refused.headers.get("cache-control")).toBe("no-store");
    }
    expect(await paused()).toBe(false);
    expect((await pause(`_csrf=${csrf}`)).status).toBe(200);
    expect(await paused()).toBe(true);
  });

  it("shows only what the token's scopes and namespaces allow; deleting the token ends the session", async () => {
    const token = await createToken({ name: "console-reader", namespaces: ["team-a"], scopes: ["events:read"] });
    const cookie = await signIn(token);
    const home = await (await page("/ui", cookie)).text();
    expect(home).toContain("/ui/namespaces/team-a/events");
    expect(home).not.toContain("Approvals");
    expect(home).not.toContain("Deliveries");
    expect((await page("/ui/namespaces/team-a/events", cookie)).status).toBe(200);
    expect((await page("/ui/namespaces/team-b/events", cookie)).status).toBe(403);
    expect((await page("/ui/namespaces/team-a/approvals", cookie)).status).toBe(403);
    await call("/api/v1/tokens/console-reader", {
      method: "DELETE",
      headers: { authorization: `Bearer ${env.HOOKLINE_ADMIN_TOKEN}` },
    });
    expect((await page("/ui", cookie)).headers.get("location")).toBe("/ui/login");
  });
});

describe("console binding dry run", () => {
  it("runs the binding like the API's /test, and refuses malformed samples with a message", async () => {
    await applyBinding("console-dry", binding("on-push", 'discriminator = "github"', "build"));
    const cookie = await signIn(env.HOOKLINE_ADMIN_TOKEN);
    const html = await (await page("/ui/namespaces/console-dry/workfloweventbindings/on-push", cookie)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const dryRun = async (fields: Record<string, string>) => {
      const response = await page("/ui/namespaces/console-dry/workfloweventbindings/on-push/test", cookie, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrf, payload: "{}", ...fields }).toString(),
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const result = /<pre id="dry-run-result">([^<]*)<\/pre>/.exec(await dryRun({ discriminator: "github" }))?.[1];
    const shown = JSON.parse((result ?? "{}").replaceAll("&quot;", '"')) as Record<string, unknown>;
    const api = await call("/api/v1/namespaces/console-dry/workfloweventbindings/on-push/test", {
      method: "POST",
      headers: { authorization: `Bearer ${env.HOOKLINE_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ payload: {}, discriminator: "github" }),
    });
    const fromApi = (await api.json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ matched: true, workflow: { cluster: "default", template: { name: "build" } } });
    expect(Object.keys(shown).sort()).toEqual(Object.keys(fromApi).sort());

    expect(await dryRun({ payload: "{not json" })).toContain("Cannot test:");
    const badMetadata = await dryRun({ metadata: '{"x-github-event": "push"}' });
    expect(badMetadata).toContain("Cannot test: metadata.x-github-event");
    expect(badMetadata).not.toContain('id="dry-run-result"');
  });
});

describe("console Markdown", () => {
  it("shows raw HTML as text and drops unsafe links", () => {
    const html = renderMarkdown(
      "**ok** <script>alert(1)</script> [x](javascript:alert(1)) [y](https://example.com) <img src=x onerror=alert(1)>",
    );
    expect(html).toContain("<strong>ok</strong>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script");
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<a href="https://example.com" rel="nofollow noopener noreferrer" target="_blank">y</a>');
    expect(html).not.toContain("<img");
  });
});

describe("console: clusters and dead letters", () => {
  it("the clusters view shows each cluster's circuit breaker; dead letters are listed", async () => {
    const put = await call("/api/v1/clusters/view-me", {
      method: "PUT",
      headers: { authorization: `Bearer ${env.HOOKLINE_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "argo-server", url: "https://argo.example.com" }),
    });
    expect(put.status).toBe(201);
    const login = await call("/ui/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: env.HOOKLINE_ADMIN_TOKEN }).toString(),
      redirect: "manual",
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const clusters = await call("/ui/clusters", { headers: { cookie } });
    expect(clusters.status).toBe(200);
    const html = await clusters.text();
    expect(html).toContain("view-me");
    expect(html).toMatch(/class="badge closed">closed</);
    const dead = await call("/ui/deadletters", { headers: { cookie } });
    expect(dead.status).toBe(200);
    expect(await dead.text()).toContain("No dead letters.");
  });
});

describe("console: notification templates", () => {
  it("lists stored templates with the triggers that send them and shows each field's Go template, escaped", async () => {
    const put = (path: string, body: unknown) =>
      call(`/api/v1/notifications/${path}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${env.HOOKLINE_ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(
      (await put("templates/console-tpl", { message: "<b>{{.app.metadata.name}}</b>", slack: { attachments: "[]" } }))
        .status,
    ).toBe(201);
    expect(
      (await put("triggers/console-trigger", { conditions: [{ when: "true", send: ["console-tpl"] }] })).status,
    ).toBe(201);
    const cookie = await signIn(env.HOOKLINE_ADMIN_TOKEN);
    const list = await (await page("/ui/notifications/templates", cookie)).text();
    expect(list).toContain('href="/ui/notifications/templates/console-tpl"');
    expect(list).toMatch(/message, slack\.attachments<\/td><td>console-trigger/);
    const detail = await page("/ui/notifications/templates/console-tpl", cookie);
    expect(detail.status).toBe(200);
    const html = await detail.text();
    expect(html).toContain("&lt;b&gt;{{.app.metadata.name}}&lt;/b&gt;");
    expect((await page("/ui/notifications/templates/no-such", cookie)).status).toBe(404);

    const limited = await createToken({
      name: "console-tpl-ns",
      namespaces: ["team-a"],
      scopes: ["notifications:read"],
    });
    const limitedCookie = await signIn(limited);
    expect((await page("/ui/notifications/templates", limitedCookie)).status).toBe(403);
  });
});

describe("console: the event log's sampled detail", () => {
  it("says when events were sampled away, on the list and on the event, and counts them on the overview", async () => {
    const perMinute = Number(env.EVENT_SAMPLE_PER_MINUTE);
    const ids: string[] = [];
    for (let index = 0; index < perMinute + 2; index++) {
      const response = await call("/api/v1/events/console-sampled/push", {
        method: "POST",
        headers: { authorization: `Bearer ${env.HOOKLINE_ADMIN_TOKEN}` },
        body: `{"n":${index}}`,
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    const cookie = await signIn(env.HOOKLINE_ADMIN_TOKEN);
    const last = ids.at(-1) as string;
    const detail = await vi.waitFor(
      async () => {
        const response = await page(`/ui/namespaces/console-sampled/events/${last}`, cookie);
        if (response.status !== 200) throw new Error(`event page: ${response.status}`);
        return response.text();
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(detail).toContain("Detail sampled away");
    expect(detail).toContain("&quot;n&quot;: " + (ids.length - 1));
    const list = await (await page("/ui/namespaces/console-sampled/events", cookie)).text();
    expect(list).toMatch(/2 more event\(s\) received in the minutes this page spans are not listed/);
    const overview = await (await page("/ui", cookie)).text();
    expect(overview).toMatch(/last 24 hours \(\d+ events\)/);
  });
});
