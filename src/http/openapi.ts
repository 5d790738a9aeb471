import { z } from "zod";
import { errorStatus } from "../lib/errors";
import {
  type Access,
  describeAccess,
  type ResponseBody,
  type Route,
  type RouteSpec,
  type SignatureScheme,
} from "./route";

/**
 * The OpenAPI 3.1 document of hookline's HTTP API (not the console), generated from the route
 * declarations: paths, who may call each operation (security requirement and `x-hookline-access`),
 * request bodies and queries, a schema for every 2xx answer and the `{code, message}` error of
 * every error answer — all from the zod schemas the routes parse and answer with.
 */

/** A JSON Schema from a zod schema: requests as accepted (input side), answers as sent (output side). */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return rest;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, "{$1}");

/** The security schemes a signed webhook client authenticates with (the events route), by API.md's headers. */
const SIGNATURE_SCHEMES: Readonly<Record<SignatureScheme, Record<string, unknown>>> = {
  githubSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Hub-Signature-256",
    description: "A GitHub webhook client of the namespace: sha256=<HMAC of the raw body>",
  },
  githubAppSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Hub-Signature-256",
    description: "A GitHub App a policy names: sha256=<HMAC of the raw body with the App's webhook secret>",
  },
  slackSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Slack-Signature",
    description: "A Slack app of a slack service: v0=<HMAC of v0:timestamp:body with its signing secret>",
  },
  gitlabToken: { type: "apiKey", in: "header", name: "X-Gitlab-Token", description: "A GitLab webhook client's token" },
  bitbucketSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Hub-Signature",
    description: "A Bitbucket (Cloud or Server) webhook client: sha256=<HMAC of the raw body>",
  },
  hooklineSignature: {
    type: "apiKey",
    in: "header",
    name: "X-Hookline-Signature",
    description: "An hmac-sha256 webhook client: sha256=<hex HMAC of the raw body>",
  },
  standardWebhooks: {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description:
      "A standard-webhooks client (whsec_…): webhook-id, webhook-timestamp and webhook-signature (or Svix's svix-* names)",
  },
};

/** Who may call: an OpenAPI security requirement (the scope as the bearer's role) and how it reads. */
function security(access: Access, signatures: readonly SignatureScheme[] = []): Record<string, unknown> {
  if (access.access === "public") {
    // A public route that checks a signature says which: it is public only in needing no token.
    return { security: signatures.map((scheme) => ({ [scheme]: [] })), "x-hookline-access": "public" };
  }
  const scopes = access.access === "signed-in" ? [] : [access.scope];
  return {
    security: [{ bearer: scopes }, ...signatures.map((scheme) => ({ [scheme]: [] }))],
    "x-hookline-access": describeAccess(access).replaceAll("`", ""),
  };
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };

/** An answer's OpenAPI response object. */
function response(body: ResponseBody): Record<string, unknown> {
  if (body === "empty") return { description: "No content" };
  if (body === "html") return { description: "A page", content: { "text/html": { schema: { type: "string" } } } };
  if (body === "json") return { description: "A JSON document", content: { "application/json": { schema: {} } } };
  return { description: "Done", content: { "application/json": { schema: jsonSchema(body, "output") } } };
}

/** The error answers of an operation: each contract status, all `{code, message}`. */
function errors(spec: RouteSpec): Record<string, unknown> {
  const statuses = new Set(Object.values(errorStatus) as number[]);
  if (spec.access.access === "public" && spec.signatures === undefined) {
    statuses.delete(401);
    statuses.delete(403);
  }
  statuses.add(503);
  return Object.fromEntries(
    [...statuses]
      .sort((a, b) => a - b)
      .map((status) => [
        String(status),
        {
          description: "An error: {code, message} (API.md's codes)",
          content: { "application/json": { schema: ERROR_REF } },
        },
      ]),
  );
}

function operationObject(spec: RouteSpec, path: string): Record<string, unknown> {
  const parameters: unknown[] = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => ({
    name: match[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (spec.query) {
    const query = jsonSchema(spec.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
    }
  }
  const body = spec.body
    ? {
        required: true,
        content: {
          "application/json": { schema: jsonSchema(spec.body, "input") },
          ...(spec.yaml ? { "application/yaml": { schema: jsonSchema(spec.body, "input") } } : {}),
        },
      }
    : undefined;
  const answers = Object.entries(spec.responses).map(([status, answer]) => [status, response(answer)] as const);
  return {
    operationId: `${spec.method} ${spec.path}`,
    summary: spec.summary,
    tags: [spec.tag],
    ...security(spec.access, spec.signatures),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: { ...Object.fromEntries(answers), ...errors(spec) },
  };
}

/** The OpenAPI 3.1 document of the declared routes (console pages left out). */
export function openApiDocument(version: string, routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { spec } of routes) {
    if (spec.tag === "console") continue;
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[spec.method.toLowerCase()] = operationObject(spec, path);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "hookline",
      version,
      description:
        "Edge gateway for Argo Workflows / Argo CD: events to workflows, webhook approvals, notifications. Bearer tokens carry scopes; a route's scope is its security requirement, and `x-hookline-access` says which namespaces it needs. Signed webhook clients authenticate event deliveries instead of a token.",
    },
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API token (hl_…), the admin token, or an OAuth access token",
        },
        ...SIGNATURE_SCHEMES,
      },
      schemas: {
        Error: {
          type: "object",
          required: ["code", "message"],
          properties: { code: { type: "string" }, message: { type: "string" } },
        },
      },
    },
  };
}
