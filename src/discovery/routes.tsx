import { z } from "zod";
import packageJson from "../../package.json";
import { openApiDocument } from "../http/openapi";
import { can, type Route, route } from "../http/route";

interface OperationView {
  summary: string;
  "x-hookline-access": string;
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: Array<{ name: string; in: string; required: boolean }>;
}

/** The API reference page: every operation with who may call it and its request schema; no scripts, no external assets. */
function ApiDocs(props: { spec: Record<string, unknown> }) {
  const paths = props.spec.paths as Record<string, Record<string, OperationView>>;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>hookline API</title>
        <link rel="stylesheet" href="/ui/assets/console.css" />
      </head>
      <body>
        <main>
          <h1>hookline API {String((props.spec.info as { version: string }).version)}</h1>
          <p>
            The OpenAPI 3.1 document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Send the token as{" "}
            <code>Authorization: Bearer …</code>; errors are <code>{"{code, message}"}</code>.
          </p>
          {Object.entries(paths).map(([path, methods]) =>
            Object.entries(methods).map(([method, operation]) => (
              <section id={`${method}-${path}`}>
                <h2>
                  <code>
                    {method.toUpperCase()} {path}
                  </code>
                </h2>
                <p>{operation.summary}</p>
                <p class="muted">Who: {operation["x-hookline-access"]}</p>
                {operation.parameters?.some((parameter) => parameter.in === "query") && (
                  <p class="muted">
                    Query:{" "}
                    {operation.parameters
                      .filter((parameter) => parameter.in === "query")
                      .map((parameter) => parameter.name)
                      .join(", ")}
                  </p>
                )}
                {operation.requestBody?.content["application/json"] && (
                  <details>
                    <summary>Request body</summary>
                    <pre>{JSON.stringify(operation.requestBody.content["application/json"].schema, null, 2)}</pre>
                  </details>
                )}
              </section>
            )),
          )}
        </main>
      </body>
    </html>
  );
}

/**
 * The gateway's own routes: liveness, and the API describing itself — the OpenAPI document and
 * a reference page, built from the route declarations (`routes`, all of the app's) once per
 * isolate. No credentials needed; nothing secret in them.
 */
export function gatewayRoutes(routes: () => readonly Route[]): Route[] {
  let document: Record<string, unknown> | undefined;
  const spec = () => {
    document ??= openApiDocument(packageJson.version, routes());
    return document;
  };
  return [
    route(
      {
        method: "GET",
        path: "/healthz",
        access: can.anyone,
        summary: "Liveness: status and version, no auth, no D1",
        tag: "gateway",
        responses: { 200: z.object({ status: z.literal("ok"), version: z.string() }) },
      },
      (c) => c.json({ status: "ok", version: packageJson.version }),
    ),
    route(
      {
        method: "GET",
        path: "/",
        access: can.anyone,
        summary: "A pointer to the API, the console and the docs",
        tag: "gateway",
        responses: { 302: "empty" },
      },
      (c) => c.redirect("/ui", 302),
    ),
    route(
      {
        method: "GET",
        path: "/api/v1/openapi.json",
        access: can.anyone,
        summary: "This API's OpenAPI 3.1 document",
        tag: "gateway",
        responses: { 200: "json" },
      },
      (c) => c.json(spec()),
    ),
    route(
      {
        method: "GET",
        path: "/api/docs",
        access: can.anyone,
        summary: "The API reference page",
        tag: "gateway",
        responses: { 200: "html" },
      },
      (c) => {
        c.header(
          "content-security-policy",
          "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
        c.header("x-content-type-options", "nosniff");
        return c.html(`<!doctype html>${String(<ApiDocs spec={spec()} />)}`);
      },
    ),
  ];
}
