import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { SCOPES } from "../../src/auth/principal";
import { readSession } from "../../src/ui/session";
import { ROUTE_SCOPES, type Rule } from "../support/route-scopes";
import { call, createToken } from "./helpers";

interface Credential {
  label: string;
  scopes: string[];
  namespaces: string[];
  token: string;
  cookie: string;
  csrf: string;
}

const OWN = "team-a";
const OTHER = "team-b";

/** Whether a credential may call a route, by the table. */
function allowed(rule: Rule, credential: Credential, namespace: string | null): boolean {
  const holds = (scope: string) => credential.scopes.includes("admin") || credential.scopes.includes(scope);
  const everywhere = credential.namespaces.includes("*");
  switch (rule.access) {
    case "public":
    case "signed-in":
      return true;
    case "namespace":
      return holds(rule.scope) && (everywhere || (namespace !== null && credential.namespaces.includes(namespace)));
    case "global":
      return holds(rule.scope) && everywhere;
    case "filtered":
      return holds(rule.scope);
  }
}

/** A concrete path for a route pattern. */
function pathOf(pattern: string, namespace: string): string {
  const id = pattern.includes("/approvals/")
    ? `${"0".repeat(26)}${"a".repeat(20)}`
    : pattern.includes("/deliveries/")
      ? "0".repeat(32)
      : pattern.includes("/oauth/clients/")
        ? "hlc_000000000000000000000000"
        : "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  return pattern
    .replace(":namespace", namespace)
    .replace(":discriminator", "d")
    .replace(":name", "x")
    .replace(":id", id)
    .replace(":webhook", "w")
    .replace(":capability", "c");
}

const credentials: Credential[] = [];

async function credential(scopes: string[], namespaces: string[]): Promise<Credential> {
  const label = `${scopes.join("+")}@${namespaces.join(",")}`;
  const name = `s-${credentials.length}-${scopes[0]?.replace(":", "-")}-${namespaces[0] === "*" ? "all" : "ns"}`;
  const token = await createToken({ name, namespaces, scopes });
  const login = await call("/ui/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
    redirect: "manual",
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const session = await readSession(env, cookie.slice(cookie.indexOf("=") + 1));
  return { label, scopes, namespaces, token, cookie, csrf: session?.csrf ?? "" };
}

beforeAll(async () => {
  for (const scope of SCOPES) {
    credentials.push(await credential([scope], [OWN]));
    credentials.push(await credential([scope], ["*"]));
  }
});

const routes = (() => {
  const seen = new Set<string>();
  for (const route of app.routes) if (route.method !== "ALL") seen.add(`${route.method} ${route.path}`);
  return [...seen];
})();
const table = new Map(ROUTE_SCOPES);

describe("every route is in the scope table", () => {
  it("no route of the app is missing from the table, and the table names no route the app lacks", () => {
    const missing = routes.filter((route) => !table.has(route));
    expect(missing, "routes mounted without a declaration (src/http/route.ts)").toEqual([]);
    const stale = [...table.keys()].filter((route) => !routes.includes(route));
    expect(stale, "table entries for routes the app does not have").toEqual([]);
  });
});

describe("every API and console route answers each scope exactly as the table says", () => {
  for (const route of routes) {
    const rule = table.get(route);
    if (!rule || rule.access === "public") continue;
    it(route, async () => {
      const [method = "GET", pattern = "/"] = route.split(" ");
      const namespaces = pattern.includes(":namespace") ? [OWN, OTHER] : [null];
      const console = pattern.startsWith("/ui");
      const problems: string[] = [];
      for (const namespace of namespaces) {
        const path = pathOf(pattern, namespace ?? OWN);
        const send = (who: Credential | null) => {
          const headers: Record<string, string> = {};
          let body: string | undefined;
          if (console) {
            if (who) headers.cookie = who.cookie;
            if (method === "POST") {
              headers["content-type"] = "application/x-www-form-urlencoded";
              body = new URLSearchParams({
                _csrf: who?.csrf ?? "",
                approve: "true",
                yaml: "x: 1",
                payload: "{}",
              }).toString();
            }
          } else {
            if (who) headers.authorization = `Bearer ${who.token}`;
            if (method === "POST" || method === "PUT") {
              headers["content-type"] = "application/json";
              body = "{}";
            }
          }
          return call(path, { method, headers, ...(body === undefined ? {} : { body }), redirect: "manual" });
        };
        const anonymous = await send(null);
        if (console) {
          if (anonymous.status !== 303) problems.push(`${path} without a session answered ${anonymous.status}`);
        } else if (anonymous.status !== 401) {
          problems.push(`${path} without credentials answered ${anonymous.status}`);
        }
        for (const who of credentials) {
          const response = await send(who);
          const expected = allowed(rule, who, namespace);
          const refused = response.status === 403 || response.status === 401;
          if (expected && refused)
            problems.push(`${who.label} ${method} ${path}: refused ${response.status}, should be allowed`);
          if (!expected && response.status !== 403)
            problems.push(`${who.label} ${method} ${path}: answered ${response.status}, should be 403`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
