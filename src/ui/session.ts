import { accessConfigOf, accessPrincipal, verifyAccessAssertion } from "../auth/access";
import { authenticateCredential, type CredentialRef, principalOfRef } from "../auth/authenticate";
import type { ConsoleSession } from "../auth/context";
import { mac, verifyMac } from "../auth/keys";
import { keyringOf } from "../auth/secrets";
import { constantTimeEqual, fromBase64Url, randomBytes, toBase64Url, utf8 } from "../lib/crypto";

/** The console's session cookie: host-only, HTTPS-only, not readable by scripts, same-site only. */
export const SESSION_COOKIE = "__Host-hookline-session";
export const SESSION_SECONDS = 8 * 3600;

interface SessionPayload {
  /** The credential signed in with, as authentication resolved it (never the credential itself). */
  ref: CredentialRef;
  /** Random per sign-in; the CSRF token derives from it. */
  sid: string;
  exp: number;
}

/**
 * Signs in with an API token or the admin token — through the same authentication as every API
 * call — and returns the cookie value, or null when the credential is not valid.
 */
export async function signIn(env: Env, credential: string, now = Date.now()): Promise<string | null> {
  let ref: CredentialRef;
  try {
    ref = (await authenticateCredential(env.DB, env.HOOKLINE_ADMIN_TOKEN, credential, now)).ref;
  } catch {
    return null;
  }
  const payload: SessionPayload = {
    ref,
    sid: toBase64Url(randomBytes(16)),
    exp: Math.floor(now / 1000) + SESSION_SECONDS,
  };
  const body = toBase64Url(utf8(JSON.stringify(payload)));
  return `${body}.${toBase64Url(await mac(keyringOf(env), "console-sessions", body))}`;
}

export type Session = ConsoleSession;

/**
 * The console session of a request: its cookie's (signature and expiry checked, and the principal
 * resolved again each time — a deleted or expired token ends its sessions within the credential
 * cache's 10 s, a rotated admin token at once), or else the Cloudflare Access identity the
 * request carries (`Cf-Access-Jwt-Assertion`, src/auth/access.ts) — Access signs every request
 * it lets through, so no cookie is needed; the CSRF token derives from Access's sign-in.
 */
export async function readSession(
  env: Env,
  cookie: string | undefined,
  accessAssertion?: string,
  now = Date.now(),
): Promise<Session | null> {
  const fromCookie = await readCookieSession(env, cookie, now);
  if (fromCookie || !accessAssertion) return fromCookie;
  const config = accessConfigOf(env);
  const identity = config ? await verifyAccessAssertion(config, accessAssertion, now) : null;
  if (!config || !identity) return null;
  const csrf = await mac(keyringOf(env), "console-sessions", `csrf:access:${identity.subject}:${identity.issuedAt}`);
  return { principal: accessPrincipal(config, identity), csrf: toBase64Url(csrf) };
}

async function readCookieSession(env: Env, cookie: string | undefined, now: number): Promise<Session | null> {
  if (!cookie) return null;
  const [body, signature] = cookie.split(".");
  const presented = signature ? fromBase64Url(signature) : null;
  const keyring = keyringOf(env);
  if (!body || !presented || !(await verifyMac(keyring, "console-sessions", body, presented))) return null;
  const payload = parsePayload(body);
  if (!payload || payload.exp * 1000 <= now) return null;
  const principal = await principalOfRef(env.DB, env.HOOKLINE_ADMIN_TOKEN, payload.ref, now);
  if (!principal) return null;
  return { principal, csrf: toBase64Url(await mac(keyring, "console-sessions", `csrf:${payload.sid}`)) };
}

function parsePayload(body: string): SessionPayload | null {
  try {
    const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(body) ?? new Uint8Array())) as SessionPayload;
    const ref = payload.ref as Partial<{ kind: string; tokenId: unknown; adminFingerprint: unknown }> | undefined;
    const validRef =
      (ref?.kind === "token" && typeof ref.tokenId === "string") ||
      (ref?.kind === "admin" && typeof ref.adminFingerprint === "string");
    if (!validRef || typeof payload.exp !== "number" || typeof payload.sid !== "string") return null;
    return payload;
  } catch {
    return null;
  }
}

/** Checks a form's CSRF token against the session's, in constant time. */
export function validCsrf(session: Session, presented: unknown): boolean {
  if (typeof presented !== "string") return false;
  return constantTimeEqual(utf8(presented), utf8(session.csrf));
}
