import { constantTimeEqual, sha256, toHex, utf8 } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { ADMIN_PRINCIPAL, type Principal } from "./principal";
import { hashBytes, tokenIdOf } from "./tokens";
import { findTokenById, type TokenRecord } from "./tokens-store";

/**
 * The one way in: the API, the console's sign-in and sessions, and the CLI all resolve
 * credentials here. A credential is the admin token (Worker secret HOOKLINE_ADMIN_TOKEN) or an
 * API token, with or without a `Bearer ` prefix (any case) and surrounding whitespace.
 */

/**
 * Verified tokens are cached in the isolate so the ingest hot path does not read D1 on every
 * request. Deleting a token evicts it here at once; other isolates drop it within the TTL.
 */
export const CREDENTIAL_CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 10_000;
/**
 * A token as this isolate last read it: its record, its stored hash as bytes, and the credential
 * last verified against that hash (so a sender's next request compares bytes in constant time
 * instead of hashing again; forgotten with the entry, within the TTL).
 */
interface CachedToken {
  record: TokenRecord | null;
  until: number;
  hash: Uint8Array;
  verified: Uint8Array | null;
}
const tokenCache = new Map<string, CachedToken>();

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

/** What a console session remembers of its credential: never the credential itself. */
export type CredentialRef = { kind: "admin"; adminFingerprint: string } | { kind: "token"; tokenId: string };

export interface Authenticated {
  principal: Principal;
  ref: CredentialRef;
}

const invalid = () =>
  new AppError("unauthenticated", "invalid or expired token", {
    headers: { "www-authenticate": 'Bearer realm="hookline", error="invalid_token"' },
  });

/** The credential in an Authorization header or a sign-in form: without `Bearer ` and surrounding whitespace. */
export function presentedCredential(value: string): string {
  // The usual shape, `Bearer <token>` with nothing around it, without a regular expression (every request has one).
  if (value.startsWith("Bearer ") && value.charCodeAt(7) > 32 && value.charCodeAt(value.length - 1) > 32) {
    return value.slice(7);
  }
  return value
    .trim()
    .replace(/^Bearer\s+/i, "")
    .trim();
}

/** Resolves a credential to its principal. Throws unauthenticated when it is not valid. */
export async function authenticateCredential(
  db: D1Database,
  adminToken: string | undefined,
  value: string,
  now = Date.now(),
): Promise<Authenticated> {
  const presented = presentedCredential(value);
  if (presented === "") throw invalid();
  const tokenId = tokenIdOf(presented);
  if (tokenId === null) {
    const digest = await sha256(presented);
    if (adminToken && constantTimeEqual(digest, await adminTokenDigest(adminToken))) {
      return { principal: ADMIN_PRINCIPAL, ref: { kind: "admin", adminFingerprint: toHex(digest) } };
    }
    throw invalid();
  }
  const cached = await lookupToken(db, tokenId, now);
  const record = cached.record;
  const bytes = utf8(presented);
  // Compare even when no row was found (against a hash no credential has), so a miss and a mismatch cost the same.
  const matches =
    (cached.verified !== null && constantTimeEqual(bytes, cached.verified)) ||
    constantTimeEqual(await sha256(bytes), cached.hash);
  if (!record || !matches || isExpired(record, now)) throw invalid();
  cached.verified = bytes;
  return { principal: principalOfToken(record), ref: { kind: "token", tokenId } };
}

/**
 * The principal a remembered credential stands for now, or null when it no longer does: the
 * token was deleted or expired (seen within the cache TTL), or the admin token was rotated.
 */
export async function principalOfRef(
  db: D1Database,
  adminToken: string | undefined,
  ref: CredentialRef,
  now = Date.now(),
): Promise<Principal | null> {
  if (ref.kind === "admin") {
    if (!adminToken) return null;
    const current = toHex(await adminTokenDigest(adminToken));
    return constantTimeEqual(utf8(current), utf8(ref.adminFingerprint)) ? ADMIN_PRINCIPAL : null;
  }
  const { record } = await lookupToken(db, ref.tokenId, now);
  return record && !isExpired(record, now) ? principalOfToken(record) : null;
}

function isExpired(record: TokenRecord, now: number): boolean {
  return record.expiresAt !== null && record.expiresAt <= now;
}

function principalOfToken(record: TokenRecord): Principal {
  return {
    kind: "token",
    name: record.name,
    scopes: record.scopes,
    namespaces: record.namespaces,
    templates: record.templates,
    rateLimit: record.rateLimit,
  };
}

async function lookupToken(db: D1Database, tokenId: string, now: number): Promise<CachedToken> {
  const cached = tokenCache.get(tokenId);
  if (cached && cached.until > now) return cached;
  const record = await findTokenById(db, tokenId);
  if (tokenCache.size >= CACHE_MAX_ENTRIES) tokenCache.clear();
  const entry: CachedToken = {
    record,
    until: now + CREDENTIAL_CACHE_TTL_MS,
    hash: record ? hashBytes(record.tokenHash) : new Uint8Array(32),
    verified: null,
  };
  tokenCache.set(tokenId, entry);
  return entry;
}
