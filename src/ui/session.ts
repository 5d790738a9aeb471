import { adminTokenFingerprint, authenticateBearer, principalForTokenId } from "../auth/authenticate";
import { constantTimeEqual, fromBase64Url, randomBytes, toBase64Url, utf8 } from "../auth/crypto";
import type { Principal } from "../auth/principal";
import { deriveKey, MIN_SECRET_KEY_LENGTH } from "../auth/secret-box";
import { tokenIdOf } from "../auth/tokens";
import { AppError } from "../lib/errors";

/** The console's session cookie: host-only, HTTPS-only, not readable by scripts, same-site only. */
export const SESSION_COOKIE = "__Host-hookline-session";
export const SESSION_SECONDS = 8 * 3600;

interface SessionPayload {
  /** `admin` (with the admin token's fingerprint) or `token` (with its public id). */
  kind: "admin" | "token";
  ref: string;
  /** Random per sign-in; the CSRF token derives from it. */
  sid: string;
  exp: number;
}

const keys = new Map<string, Promise<CryptoKey>>();
function sessionKey(secretKey: string | undefined): Promise<CryptoKey> {
  if (!secretKey || secretKey.length < MIN_SECRET_KEY_LENGTH) {
    throw new AppError("internal", "HOOKLINE_SECRET_KEY is not configured; console sessions cannot be signed");
  }
  let key = keys.get(secretKey);
  if (!key) {
    key = deriveKey(secretKey, "hookline/console-sessions/v1", "HMAC");
    keys.set(secretKey, key);
  }
  return key;
}

async function mac(secretKey: string | undefined, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await sessionKey(secretKey), utf8(text)));
}

/** Signs in with an API token or the admin token; returns the cookie value, or null when the token is not valid. */
export async function signIn(
  db: D1Database,
  env: { HOOKLINE_ADMIN_TOKEN?: string; HOOKLINE_SECRET_KEY?: string },
  token: string,
  now = Date.now(),
): Promise<string | null> {
  try {
    await authenticateBearer(db, env.HOOKLINE_ADMIN_TOKEN, token, now);
  } catch {
    return null;
  }
  const tokenId = tokenIdOf(token.trim());
  const payload: SessionPayload = {
    kind: tokenId === null ? "admin" : "token",
    ref: tokenId ?? (await adminTokenFingerprint(env.HOOKLINE_ADMIN_TOKEN ?? "")),
    sid: toBase64Url(randomBytes(16)),
    exp: Math.floor(now / 1000) + SESSION_SECONDS,
  };
  const body = toBase64Url(utf8(JSON.stringify(payload)));
  return `${body}.${toBase64Url(await mac(env.HOOKLINE_SECRET_KEY, body))}`;
}

export interface Session {
  principal: Principal;
  csrf: string;
}

/**
 * The session of a cookie value: signature and expiry checked, and the principal resolved again
 * (a deleted or expired token, or a rotated admin token, ends its sessions).
 */
export async function readSession(
  db: D1Database,
  env: { HOOKLINE_ADMIN_TOKEN?: string; HOOKLINE_SECRET_KEY?: string },
  cookie: string | undefined,
  now = Date.now(),
): Promise<Session | null> {
  if (!cookie) return null;
  const [body, signature] = cookie.split(".");
  const presented = signature ? fromBase64Url(signature) : null;
  if (!body || !presented || !constantTimeEqual(presented, await mac(env.HOOKLINE_SECRET_KEY, body))) return null;
  let payload: SessionPayload;
  try {
    payload = JSON.parse(new TextDecoder().decode(fromBase64Url(body) ?? new Uint8Array())) as SessionPayload;
  } catch {
    return null;
  }
  if (typeof payload.exp !== "number" || payload.exp * 1000 <= now) return null;
  let principal: Principal | null = null;
  if (payload.kind === "admin") {
    const adminToken = env.HOOKLINE_ADMIN_TOKEN;
    if (adminToken && payload.ref === (await adminTokenFingerprint(adminToken))) {
      principal = { kind: "admin", name: "admin", scopes: ["admin"], namespaces: ["*"], templates: null };
    }
  } else if (payload.kind === "token") {
    principal = await principalForTokenId(db, payload.ref, now);
  }
  if (!principal) return null;
  return { principal, csrf: toBase64Url(await mac(env.HOOKLINE_SECRET_KEY, `csrf:${payload.sid}`)) };
}

/** Checks a form's CSRF token against the session's, in constant time. */
export function validCsrf(session: Session, presented: unknown): boolean {
  if (typeof presented !== "string") return false;
  const a = utf8(presented);
  const b = utf8(session.csrf);
  return constantTimeEqual(a, b);
}
