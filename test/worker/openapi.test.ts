import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { adminAuth, applyBinding, bearer, binding, call, callJson, createToken } from "./helpers";

interface Spec {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { securitySchemes: Record<string, unknown> };
}

const spec = async () => (await (await call("/api/v1/openapi.json")).json()) as Spec;
const toOpenApi = (path: string) => path.replace(/:([A-Za-z]+)/g, "{$1}");

describe("the API describes itself", () => {
  it("serves an OpenAPI 3.1 document without credentials, naming every API route of the app", async () => {
    const document = await spec();
    expect(document.openapi).toBe("3.1.0");
    const missing = app.routes
      .filter((route) => route.method !== "ALL" && !route.path.startsWith("/ui"))
      .map((route) => `${route.method} ${toOpenApi(route.path)}`)
      .filter((route) => {
        const [method = "", path = ""] = route.split(" ");
        return document.paths[path]?.[method.toLowerCase()] === undefined;
      });
    expect(missing, "routes missing from /api/v1/openapi.json").toEqual([]);
  });

  it("says who may call each operation: the scope as the bearer requirement, and which namespaces", async () => {
    const document = await spec();
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.paths["/api/v1/clusters/{name}"]?.put).toMatchObject({
      security: [{ bearer: ["admin"] }],
      "x-hookline-access": "admin",
    });
    expect(document.paths["/api/v1/namespaces/{namespace}/events"]?.get).toMatchObject({
      security: [{ bearer: ["events:read"] }],
      "x-hookline-access": "events:read in the namespace",
    });
    expect(document.paths["/healthz"]?.get).toMatchObject({ security: [] });
  });

  it("describes request bodies and queries with the schemas the routes validate with", async () => {
    const document = await spec();
    const cluster = document.paths["/api/v1/clusters/{name}"]?.put as {
      requestBody: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> };
    };
    const schema = cluster.requestBody.content["application/json"]?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(
      expect.arrayContaining(["type", "url", "token", "tokenSecret", "headers", "timeoutSeconds"]),
    );
    expect(schema?.required).toEqual(expect.arrayContaining(["type", "url"]));
    // The same schema refuses what the document says it would: a property it does not list.
    const refused = await callJson("/api/v1/clusters/spec-check", "PUT", {
      type: "argo-server",
      url: "https://argo.example.com",
      colour: "red",
    });
    expect(refused.status).toBe(400);
    const events = document.paths["/api/v1/namespaces/{namespace}/events"]?.get as {
      parameters: Array<{ name: string; in: string }>;
    };
    expect(events.parameters.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(
      expect.arrayContaining(["path:namespace", "query:limit", "query:cursor", "query:discriminator", "query:outcome"]),
    );
    const template = document.paths["/api/v1/notifications/templates/{name}"]?.put as {
      requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
    };
    expect(Object.keys(template.requestBody.content["application/json"]?.schema.properties ?? {})).toEqual(
      expect.arrayContaining(["message", "slack", "teams", "webhook"]),
    );
  });

  it("renders a reference page with no scripts and no assets from elsewhere", async () => {
    const response = await call("/api/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain("PUT /api/v1/clusters/{name}");
    expect(html).toContain("/api/v1/openapi.json");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
  });

  it("needs no credentials and answers the same with them", async () => {
    const anonymous = await (await call("/api/v1/openapi.json")).text();
    const withAdmin = await (await call("/api/v1/openapi.json", { headers: adminAuth })).text();
    expect(withAdmin).toBe(anonymous);
  });
});

describe("namespaces: what kubectl get -A walks", () => {
  it("lists the namespaces that hold objects, only those the caller may act in", async () => {
    await applyBinding("ns-list-a", binding("one", "true", "build"));
    await applyBinding("ns-list-b", binding("two", "true", "build"));
    const all = (await (await call("/api/v1/namespaces", { headers: adminAuth })).json()) as {
      items: Array<{ name: string }>;
    };
    expect(all.items.map((item) => item.name)).toEqual(expect.arrayContaining(["ns-list-a", "ns-list-b"]));
    const limited = await createToken({ name: "ns-list-reader", namespaces: ["ns-list-a"], scopes: ["bindings:read"] });
    const seen = (await (await call("/api/v1/namespaces", { headers: bearer(limited) })).json()) as {
      items: Array<{ name: string }>;
    };
    expect(seen.items.map((item) => item.name)).toEqual(["ns-list-a"]);
    expect((await call("/api/v1/namespaces")).status).toBe(401);
  });
});
