import { Hono } from "hono";
import packageJson from "../../package.json";
import type { AppEnv } from "../auth/context";
import { openApiDocument } from "./openapi";

/** Built once per isolate: the table and the schemas do not change while it lives. */
let document: Record<string, unknown> | undefined;
const spec = () => {
  document ??= openApiDocument(packageJson.version);
  return document;
};

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

/** `GET /api/v1/openapi.json` and `GET /api/docs`: the API describes itself (no credentials needed; nothing secret in it). */
export const discoveryRoutes = new Hono<AppEnv>()
  .get("/api/v1/openapi.json", (c) => c.json(spec()))
  .get("/api/docs", (c) => {
    c.header(
      "content-security-policy",
      "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    c.header("x-content-type-options", "nosniff");
    return c.html(`<!doctype html>${String(<ApiDocs spec={spec()} />)}`);
  });
