import { AppError } from "../lib/errors";
import { constantTimeEqual, sha256, toHex } from "./crypto";
import { ADMIN_PRINCIPAL, type Principal } from "./principal";
import { hashBytes, tokenIdOf } from "./tokens";
import { findTokenById, type TokenRecord } from "./tokens-store";

/**
 * Verified tokens are cached in the isolate so the ingest hot path does not read D1 on every
 * request. Deleting a token evicts it here at once; other isolates drop it within the TTL.
 */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 10_000;
const tokenCache = new Map<string, { record: TokenRecord | null; until: number }>();

/** The admin token's digest, computed once per isolate (digests compare in constant time). */
let adminDigest: { token: string; digest: Promise<Uint8Array> } | undefined;
function adminTokenDigest(token: string): Promise<Uint8Array> {
  if (adminDigest?.token !== token) adminDigest = { token, digest: sha256(token) };
  return adminDigest.digest;
}

/** Forgets a cached token (after it is deleted). */
export function forgetToken(tokenId: string): void {
  tokenCache.delete(tokenId);
}

const invalid = () =>
  new AppError("unauthenticated", "invalid or expired token", {
    headers: { "www-authenticate": 'Bearer realm="hookline", error="invalid_token"' },
  });

/**
 * Resolves an Authorization header value (`Bearer <token>` or the bare token, as Argo clients
 * send it) to a principal: the admin token or an API token. Throws unauthenticated otherwise.
 */
export async function authenticateBearer(
  db: D1Database,
  adminToken: string | undefined,
  header: string,
  now = Date.now(),
): Promise<Principal> {
  const presented = header.replace(/^Bearer\s+/i, "").trim();
  if (presented === "") throw invalid();
  const tokenId = tokenIdOf(presented);
  if (tokenId === null) {
    if (adminToken && constantTimeEqual(await sha256(presented), await adminTokenDigest(adminToken))) {
      return ADMIN_PRINCIPAL;
    }
    throw invalid();
  }
  const record = await lookupToken(db, tokenId, now);
  // Compare even when no row was found, so a miss and a mismatch cost the same.
  const expected = record ? hashBytes(record.tokenHash) : new Uint8Array(32);
  const matches = constantTimeEqual(await sha256(presented), expected);
  if (!record || !matches) throw invalid();
  if (record.expiresAt !== null && record.expiresAt <= now) throw invalid();
  return {
    kind: "token",
    name: record.name,
    scopes: record.scopes,
    namespaces: record.namespaces,
    templates: record.templates,
  };
}

/** The principal of an API token by its public id (a console session), or null when gone or expired. */
export async function principalForTokenId(
  db: D1Database,
  tokenId: string,
  now = Date.now(),
): Promise<Principal | null> {
  const record = await lookupToken(db, tokenId, now);
  if (!record || (record.expiresAt !== null && record.expiresAt <= now)) return null;
  return {
    kind: "token",
    name: record.name,
    scopes: record.scopes,
    namespaces: record.namespaces,
    templates: record.templates,
  };
}

/** Hex SHA-256 of the configured admin token (sessions remember it, so rotating the token ends them). */
export async function adminTokenFingerprint(adminToken: string): Promise<string> {
  return toHex(await adminTokenDigest(adminToken));
}

async function lookupToken(db: D1Database, tokenId: string, now: number): Promise<TokenRecord | null> {
  const cached = tokenCache.get(tokenId);
  if (cached && cached.until > now) return cached.record;
  const record = await findTokenById(db, tokenId);
  if (tokenCache.size >= CACHE_MAX_ENTRIES) tokenCache.clear();
  tokenCache.set(tokenId, { record, until: now + CACHE_TTL_MS });
  return record;
}
