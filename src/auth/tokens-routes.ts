import { Hono } from "hono";
import { z } from "zod";
import { sha256Hex } from "../lib/crypto";
import { readDocument } from "../lib/documents";
import { invalidArgument, notFound } from "../lib/errors";
import { assertObjectName, isDns1123Subdomain, namespaceListSchema, objectNameSchema } from "../lib/names";
import { parseWith } from "../lib/validation";
import { forgetToken } from "./authenticate";
import type { AppEnv } from "./context";
import { authorize, GLOBAL, requirePrincipal, SCOPES } from "./principal";
import { describeRateLimit, rateLimitSchema, toRateLimit } from "./sender-limits";
import { generateToken } from "./tokens";
import { deleteToken, findTokenByName, insertToken, listTokens, type TokenRecord } from "./tokens-store";

export const createTokenSchema = z.strictObject({
  name: objectNameSchema,
  namespaces: namespaceListSchema,
  scopes: z.array(z.enum(SCOPES)).min(1),
  templates: z.array(z.string().refine(isDns1123Subdomain, "must be a template name")).max(1000).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  rateLimit: rateLimitSchema.optional(),
});

/** `/api/v1/tokens`: create (token shown once), list, delete. Admin only. */
export const tokenRoutes = new Hono<AppEnv>()
  .get("/whoami", (c) => {
    const principal = c.get("principal");
    requirePrincipal(principal);
    const { kind, name, scopes, namespaces, templates, rateLimit } = principal;
    return c.json({ kind, name, scopes, namespaces, templates, rateLimit: describeRateLimit(rateLimit) });
  })
  .post("/tokens", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const input = parseWith(createTokenSchema, await readDocument(c.req.raw));
    const now = Date.now();
    const expiresAt = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
    if (expiresAt !== null && expiresAt <= now) {
      throw invalidArgument("expiresAt: must be in the future");
    }
    const { token, tokenId } = generateToken();
    const record: TokenRecord = {
      name: input.name,
      tokenId,
      tokenHash: await sha256Hex(token),
      namespaces: [...new Set(input.namespaces)],
      scopes: [...new Set(input.scopes)],
      templates: input.templates ? [...new Set(input.templates)] : null,
      createdAt: now,
      expiresAt,
      rateLimit: toRateLimit(input.rateLimit),
    };
    await insertToken(c.env.DB, record);
    return c.json({ ...describeToken(record), token }, 201);
  })
  .get("/tokens", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const tokens = await listTokens(c.env.DB);
    return c.json({ items: tokens.map(describeToken) });
  })
  .get("/tokens/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const name = assertObjectName(c.req.param("name"), "token name");
    const token = await findTokenByName(c.env.DB, name);
    if (!token) throw notFound(`token "${name}" not found`);
    return c.json(describeToken(token));
  })
  .delete("/tokens/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const name = assertObjectName(c.req.param("name"), "token name");
    const tokenId = await deleteToken(c.env.DB, name);
    if (tokenId === null) throw notFound(`token "${name}" not found`);
    forgetToken(tokenId);
    return c.body(null, 204);
  });

/** A token as the API shows it: never its text or hash. */
function describeToken(token: TokenRecord) {
  return {
    name: token.name,
    namespaces: token.namespaces,
    scopes: token.scopes,
    templates: token.templates,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
    rateLimit: describeRateLimit(token.rateLimit),
  };
}
