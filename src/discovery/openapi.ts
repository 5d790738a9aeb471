import { z } from "zod";
import { type Access, describeAccess, OPERATIONS, type Operation } from "./operations";
import { REQUEST_SCHEMAS } from "./request-schemas";

/** A JSON Schema from a zod schema, as the request is accepted (input side; refinements are not expressible). */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return rest;
}

const methodAndPath = (route: string) => {
  const [method = "GET", path = "/"] = route.split(" ");
  return { method: method.toLowerCase(), path: path.replace(/:([A-Za-z]+)/g, "{$1}") };
};

const TAGS: Array<[prefix: string, tag: string]> = [
  ["/api/v1/events", "events"],
  ["/api/v1/namespaces/{namespace}/events", "events"],
  ["/api/v1/namespaces/{namespace}/deadletters", "events"],
  ["/api/v1/deadletters", "events"],
  ["/api/v1/namespaces/{namespace}/workfloweventbindings", "bindings"],
  ["/api/v1/clusters", "clusters"],
  ["/api/v1/namespaces/{namespace}/approval", "approvals"],
  ["/api/v1/oauth", "approvals"],
  ["/oauth", "approvals"],
  ["/callbacks", "approvals"],
  ["/api/v1/notifications", "notifications"],
  ["/api/v1/tokens", "access"],
  ["/api/v1/namespaces/{namespace}/webhookclients", "access"],
  ["/api/v1/whoami", "access"],
  ["/api/v1/admin", "access"],
];

const tagOf = (path: string) => TAGS.find(([prefix]) => path.startsWith(prefix))?.[1] ?? "gateway";

/** Who may call: an OpenAPI security requirement (the scope as the bearer's role) and how it reads. */
function security(access: Access): Record<string, unknown> {
  if (access.access === "public") return { security: [], "x-hookline-access": "public" };
  const scopes = access.access === "signed-in" ? [] : [access.scope];
  return { security: [{ bearer: scopes }], "x-hookline-access": describeAccess(access).replaceAll("`", "") };
}

function operationObject(operation: Operation, path: string): Record<string, unknown> {
  const schemas = REQUEST_SCHEMAS.get(operation.route) ?? {};
  const parameters: unknown[] = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => ({
    name: match[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (schemas.query) {
    const query = jsonSchema(schemas.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
    }
  }
  const isIngest = operation.route.startsWith("POST /api/v1/events/");
  const body = schemas.body
    ? {
        required: true,
        content: {
          "application/json": { schema: jsonSchema(schemas.body) },
          "application/yaml": { schema: jsonSchema(schemas.body) },
        },
      }
    : isIngest
      ? { required: true, content: { "application/json": { schema: {} } } }
      : undefined;
  return {
    operationId: operation.route,
    summary: operation.summary ?? operation.route,
    tags: [tagOf(path)],
    ...security(operation.access),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: {
      "2XX": { description: "Done (200 read or replaced, 201 created, 202 accepted, 204 deleted)" },
      default: {
        description: "An error: {code, message} (API.md's codes)",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of hookline's HTTP API (not the console), generated from the route
 * table and the zod schemas the routes validate with.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const { method, path } = methodAndPath(operation.route);
    if (path.startsWith("/ui")) continue;
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[method] = operationObject(operation, path);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "hookline",
      version,
      description:
        "Edge gateway for Argo Workflows / Argo CD: events to workflows, webhook approvals, notifications. Bearer tokens carry scopes; a route's scope is its security requirement, and `x-hookline-access` says which namespaces it needs.",
    },
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API token (hl_…), the admin token, or an OAuth access token",
        },
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
