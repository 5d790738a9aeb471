import { z } from "zod";
import type { Keyring } from "../auth/keys";
import { keyringOf } from "../auth/secrets";
import { can, route } from "../http/route";
import { decodeUtf8, readBodyLimited } from "../lib/body";
import { readDocument } from "../lib/documents";
import { AppError, notFound } from "../lib/errors";
import { namespaceListSchema, objectNameSchema } from "../lib/names";
import { parseWith } from "../lib/validation";
import {
  authenticateClient,
  createClient,
  deleteClient,
  issueAccessToken,
  listClients,
  type OAuthClient,
} from "./oauth";

const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

/** An RFC 6749 §5.2 error response. */
function oauthError(status: 400 | 401, error: string, description: string, basic = false): Response {
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    pragma: "no-cache",
  };
  if (status === 401)
    headers["www-authenticate"] = basic ? 'Basic realm="hookline"' : 'Basic realm="hookline", error="invalid_client"';
  return new Response(JSON.stringify({ error, error_description: description }), { status, headers });
}

/** Form-encoded (the standard) or JSON parameters of a token request. */
async function readTokenParameters(request: Request): Promise<Record<string, string> | null> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  let text: string;
  try {
    text = decodeUtf8(await readBodyLimited(request, MAX_TOKEN_REQUEST_BYTES));
  } catch (error) {
    // Too large, or not UTF-8: an RFC 6749 invalid_request like any other malformed request.
    if (error instanceof AppError) return null;
    throw error;
  }
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) if (typeof value === "string") out[key] = value;
    return out;
  }
  if (type === "application/x-www-form-urlencoded" || type === "") {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return null;
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1: each part form-urlencoded), or null. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | "malformed" | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) return "malformed";
  let decoded: string;
  try {
    decoded = atob(match[1]);
  } catch {
    return "malformed";
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) return "malformed";
  try {
    const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return "malformed";
  }
}

/**
 * The client credentials grant (RFC 6749 §4.4): form (or JSON) parameters, client id and secret in
 * the body or HTTP Basic; errors in RFC 6749 §5.2's shape.
 */
async function tokenRequest(request: Request, keyring: Keyring, db: D1Database): Promise<Response> {
  const params = await readTokenParameters(request);
  if (!params) return oauthError(400, "invalid_request", "send application/x-www-form-urlencoded (or JSON) parameters");
  const basic = basicCredentials(request.headers.get("authorization") ?? undefined);
  if (basic === "malformed") return oauthError(401, "invalid_client", "malformed Basic credentials", true);
  if (basic && (params.client_id !== undefined || params.client_secret !== undefined)) {
    if (params.client_id !== basic.id || params.client_secret !== undefined) {
      return oauthError(400, "invalid_request", "use one client authentication method, not both");
    }
  }
  if (!params.grant_type) return oauthError(400, "invalid_request", "grant_type is required");
  if (params.grant_type !== "client_credentials") {
    return oauthError(
      400,
      "unsupported_grant_type",
      `grant_type "${params.grant_type.slice(0, 40)}" is not supported; use client_credentials`,
    );
  }
  const id = basic ? basic.id : params.client_id;
  const secret = basic ? basic.secret : params.client_secret;
  if (!id || !secret)
    return oauthError(401, "invalid_client", "client_id and client_secret are required", Boolean(basic));
  const client = await authenticateClient(db, id, secret);
  if (!client) return oauthError(401, "invalid_client", "client authentication failed", Boolean(basic));
  const requested = params.scope ? params.scope.split(" ").filter(Boolean) : client.scopes;
  const unknown = requested.find((scope) => !client.scopes.includes(scope));
  if (unknown) return oauthError(400, "invalid_scope", `scope "${unknown.slice(0, 60)}" is not granted to this client`);
  const token = await issueAccessToken(keyring, client, requested);
  return Response.json(token, { headers: { "cache-control": "no-store", pragma: "no-cache" } });
}

export const createClientSchema = z.strictObject({
  name: objectNameSchema,
  namespaces: namespaceListSchema.default(["*"]),
});

const clientViewSchema = z.object({
  client_id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  namespaces: z.array(z.string()),
  createdAt: z.string(),
});

/** `POST /oauth/token` and `/api/v1/oauth/clients`: OAuth clients for approval callbacks (admin only). */
export const oauthRoutes = [
  route(
    {
      method: "POST",
      path: "/oauth/token",
      access: can.anyone,
      summary: "OAuth 2.0 client credentials: an access token for approval callbacks",
      tag: "approvals",
      responses: {
        200: z.object({
          access_token: z.string(),
          token_type: z.literal("Bearer"),
          expires_in: z.number().int(),
          scope: z.string(),
        }),
      },
    },
    (c) => tokenRequest(c.req.raw, keyringOf(c.env), c.env.DB),
  ),
  route(
    {
      method: "POST",
      path: "/api/v1/oauth/clients",
      access: can.admin,
      summary: "Create an OAuth client for approval callbacks (its secret shown once)",
      tag: "approvals",
      body: createClientSchema,
      responses: { 201: clientViewSchema.extend({ client_secret: z.string() }) },
    },
    async (c) => {
      const input = parseWith(createClientSchema, await readDocument(c.req.raw));
      const { client, clientSecret } = await createClient(c.env.DB, input.name, [...new Set(input.namespaces)]);
      return c.json({ ...describeClient(client), client_secret: clientSecret }, 201);
    },
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/oauth/clients",
      access: can.admin,
      summary: "List OAuth clients",
      tag: "approvals",
      responses: { 200: z.object({ items: z.array(clientViewSchema) }) },
    },
    async (c) => c.json({ items: (await listClients(c.env.DB)).map(describeClient) }),
  ),
  route(
    {
      method: "DELETE",
      path: "/api/v1/oauth/clients/:id",
      access: can.admin,
      summary: "Delete an OAuth client (its tokens stop working)",
      tag: "approvals",
      responses: { 204: "empty" },
    },
    async (c, { param }) => {
      const id = param("id");
      if (!(await deleteClient(c.env.DB, id))) throw notFound(`OAuth client "${id.slice(0, 40)}" not found`);
      return c.body(null, 204);
    },
  ),
];

function describeClient(client: OAuthClient): z.output<typeof clientViewSchema> {
  return {
    client_id: client.clientId,
    name: client.name,
    scopes: [...client.scopes],
    namespaces: [...client.namespaces],
    createdAt: new Date(client.createdAt).toISOString(),
  };
}
