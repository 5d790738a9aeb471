import { z } from "zod";
import { sha256Hex } from "../lib/crypto";
import { invalidArgument, notFound } from "../lib/errors";
import { assertObjectName, isDns1123Subdomain, namespaceListSchema, objectNameSchema } from "../lib/names";
import { parseWith } from "../lib/validation";
import { forgetToken } from "./authenticate";
import { type Principal, SCOPES } from "./principal";
import { describeRateLimit, rateLimitSchema, toRateLimit } from "./sender-limits";
import { generateToken } from "./tokens";
import { deleteToken, findTokenByName, insertToken, listTokens, type TokenRecord } from "./tokens-store";

/**
 * API tokens as the API manages them (admin only): created with their scopes, namespaces,
 * templates, expiry and rate limit — the text shown once, only its SHA-256 stored — listed,
 * read and revoked (at once in this isolate, within the credential cache's 10 s elsewhere).
 */

export const createTokenSchema = z.strictObject({
  name: objectNameSchema,
  namespaces: namespaceListSchema,
  scopes: z.array(z.enum(SCOPES)).min(1),
  templates: z.array(z.string().refine(isDns1123Subdomain, "must be a template name")).max(1000).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  rateLimit: rateLimitSchema.optional(),
});

const rateLimitViewSchema = z.object({ requests: z.number().int(), period: z.enum(["10s", "1m"]) }).nullable();

/** A token as the API shows it: never its text or hash. */
export const tokenViewSchema = z.object({
  name: z.string(),
  namespaces: z.array(z.string()),
  scopes: z.array(z.enum(SCOPES)),
  templates: z.array(z.string()).nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  rateLimit: rateLimitViewSchema,
});
export type TokenView = z.output<typeof tokenViewSchema>;

/** The answer to a create: the token's text, shown this once. */
export const createdTokenSchema = tokenViewSchema.extend({ token: z.string() });

/** Who the caller is (`GET /api/v1/whoami`). */
export const whoamiSchema = z.object({
  kind: z.enum(["admin", "token", "webhook-client", "access"]),
  name: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  namespaces: z.array(z.string()),
  templates: z.array(z.string()).nullable(),
  rateLimit: rateLimitViewSchema,
});

function describeToken(token: TokenRecord): TokenView {
  return {
    name: token.name,
    namespaces: [...token.namespaces],
    scopes: [...token.scopes],
    templates: token.templates === null ? null : [...token.templates],
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
    rateLimit: describeRateLimit(token.rateLimit),
  };
}

/** Creates a token from a request body; its view and its text (shown once). */
export async function createToken(
  db: D1Database,
  body: unknown,
  now = Date.now(),
): Promise<z.output<typeof createdTokenSchema>> {
  const input = parseWith(createTokenSchema, body);
  const expiresAt = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
  if (expiresAt !== null && expiresAt <= now) throw invalidArgument("expiresAt: must be in the future");
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
  await insertToken(db, record);
  return { ...describeToken(record), token };
}

/** Every token, as the API shows them. */
export async function tokenList(db: D1Database): Promise<{ items: TokenView[] }> {
  return { items: (await listTokens(db)).map(describeToken) };
}

/** One token by name, or not_found. */
export async function tokenNamed(db: D1Database, name: string): Promise<TokenView> {
  const token = await findTokenByName(db, assertObjectName(name, "token name"));
  if (!token) throw notFound(`token "${name}" not found`);
  return describeToken(token);
}

/** Revokes a token by name (its sessions and cached credential end with it), or not_found. */
export async function revokeToken(db: D1Database, name: string): Promise<void> {
  const tokenId = await deleteToken(db, assertObjectName(name, "token name"));
  if (tokenId === null) throw notFound(`token "${name}" not found`);
  forgetToken(tokenId);
}

/** The caller as `whoami` shows it. */
export function whoami(principal: Principal): z.output<typeof whoamiSchema> {
  const { kind, name, scopes, namespaces, templates, rateLimit } = principal;
  return {
    kind,
    name,
    scopes: [...scopes],
    namespaces: [...namespaces],
    templates: templates === null ? null : [...templates],
    rateLimit: describeRateLimit(rateLimit),
  };
}
