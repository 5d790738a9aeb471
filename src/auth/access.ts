import { fromBase64Url, utf8 } from "../lib/crypto";
import { callOutbound } from "../lib/outbound";
import { isSecureOrLoopback } from "../lib/urls";
import type { Principal } from "./principal";

/**
 * Cloudflare Access in front of the console. Access signs every request it lets through with a
 * JWT in `Cf-Access-Jwt-Assertion` (RS256, keys at `<team domain>/cdn-cgi/access/certs`). A valid
 * one — signed by a current key of the configured team, for the configured application audience
 * (`ACCESS_AUD`), issued by that team, not expired — is the person it names: the principal
 * `email:<address>`, with `approvals:read` and `approvals:decide` in `ACCESS_NAMESPACES` (default
 * every namespace). It decides only gates whose policy names that email (or its domain) among
 * the approvers. Keys are cached in the isolate and fetched again for an unknown key id — at
 * most every 30 s, so forged key ids cannot make hookline hammer the team's endpoint.
 */

export interface AccessConfig {
  /** The team's origin (issuer), e.g. `https://myteam.cloudflareaccess.com`. */
  team: string;
  audience: string;
  namespaces: string[];
}

/** What a verified assertion says. */
export interface AccessIdentity {
  email: string;
  /** Access's id for the user, and when it signed them in: the console's CSRF token derives from both. */
  subject: string;
  issuedAt: number;
}

const CERTS_PATH = "/cdn-cgi/access/certs";
const REFETCH_AFTER_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;
/** Clock skew allowed on `exp`, `nbf` and `iat`. */
const LEEWAY_SECONDS = 30;
const MAX_ASSERTION_LENGTH = 8192;

/** The Access configuration, or null when Access is not set up (no team domain or audience). */
export function accessConfigOf(env: {
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ACCESS_NAMESPACES?: string;
}): AccessConfig | null {
  const domain = (env.ACCESS_TEAM_DOMAIN ?? "").trim();
  const audience = (env.ACCESS_AUD ?? "").trim();
  if (domain === "" || audience === "") return null;
  // A host name (as Access shows it), or a full URL (self-hosted setups, tests).
  const team = (domain.includes("://") ? domain : `https://${domain}`).replace(/\/+$/, "");
  if (!isSecureOrLoopback(team)) return null;
  const namespaces = (env.ACCESS_NAMESPACES ?? "*")
    .split(",")
    .map((namespace) => namespace.trim())
    .filter(Boolean);
  return { team, audience, namespaces: namespaces.length > 0 ? namespaces : ["*"] };
}

/** The principal of an Access identity: approvals only, in the configured namespaces. */
export function accessPrincipal(config: AccessConfig, identity: AccessIdentity): Principal {
  return {
    kind: "access",
    name: identity.email,
    scopes: ["approvals:read", "approvals:decide"],
    namespaces: config.namespaces,
    templates: null,
    rateLimit: null,
  };
}

interface KeySet {
  keys: Map<string, CryptoKey>;
  fetchedAt: number;
}
const keySets = new Map<string, KeySet>();

interface JwtHeader {
  alg?: unknown;
  kid?: unknown;
}
interface JwtClaims {
  aud?: unknown;
  iss?: unknown;
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  email?: unknown;
  sub?: unknown;
}

function decodePart<T>(part: string): T | null {
  const bytes = fromBase64Url(part);
  if (!bytes) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return value !== null && typeof value === "object" ? (value as T) : null;
  } catch {
    return null;
  }
}

/** Verifies an Access assertion; the identity it carries, or null when it does not hold. */
export async function verifyAccessAssertion(
  config: AccessConfig,
  assertion: string,
  now = Date.now(),
): Promise<AccessIdentity | null> {
  if (assertion.length > MAX_ASSERTION_LENGTH) return null;
  const [headerPart, claimsPart, signaturePart, ...rest] = assertion.split(".");
  if (!headerPart || !claimsPart || !signaturePart || rest.length > 0) return null;
  const header = decodePart<JwtHeader>(headerPart);
  const claims = decodePart<JwtClaims>(claimsPart);
  const signature = fromBase64Url(signaturePart);
  if (!header || !claims || !signature || header.alg !== "RS256" || typeof header.kid !== "string") return null;
  const key = await keyOf(config.team, header.kid, now);
  if (!key) return null;
  const signed = utf8(`${headerPart}.${claimsPart}`);
  if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, signed))) return null;
  const seconds = now / 1000;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(config.audience)) return null;
  if (claims.iss !== config.team) return null;
  if (typeof claims.exp !== "number" || claims.exp + LEEWAY_SECONDS <= seconds) return null;
  if (typeof claims.nbf === "number" && claims.nbf - LEEWAY_SECONDS > seconds) return null;
  if (typeof claims.iat === "number" && claims.iat - LEEWAY_SECONDS > seconds) return null;
  if (typeof claims.email !== "string" || !/^[^\s@]{1,64}@[^\s@]{1,253}$/.test(claims.email)) return null;
  return {
    email: claims.email.toLowerCase(),
    subject: typeof claims.sub === "string" ? claims.sub : claims.email,
    issuedAt: typeof claims.iat === "number" ? claims.iat : 0,
  };
}

/** The team's key of that id: from the cache, or fetched again when the id is unknown (rate limited). */
async function keyOf(team: string, kid: string, now: number): Promise<CryptoKey | null> {
  const cached = keySets.get(team);
  const known = cached?.keys.get(kid);
  if (known) return known;
  if (cached && now - cached.fetchedAt < REFETCH_AFTER_MS) return null;
  // A failed fetch is remembered as an empty set too: no retry storm against the team's endpoint.
  const fetched = (await fetchKeys(team, now)) ?? { keys: new Map<string, CryptoKey>(), fetchedAt: now };
  keySets.set(team, fetched);
  return fetched.keys.get(kid) ?? null;
}

async function fetchKeys(team: string, now: number): Promise<KeySet | null> {
  const called = await callOutbound(`${team}${CERTS_PATH}`, { method: "GET", headers: {} }, FETCH_TIMEOUT_MS);
  if (!called.ok || called.response.status !== 200) return null;
  let body: { keys?: unknown };
  try {
    body = JSON.parse(called.response.text) as { keys?: unknown };
  } catch {
    return null;
  }
  const keys = new Map<string, CryptoKey>();
  for (const jwk of Array.isArray(body.keys) ? body.keys : []) {
    const { kid, kty, n, e } = (jwk ?? {}) as Record<string, unknown>;
    if (typeof kid !== "string" || kty !== "RSA" || typeof n !== "string" || typeof e !== "string") continue;
    try {
      keys.set(
        kid,
        await crypto.subtle.importKey(
          "jwk",
          { kty: "RSA", n, e, alg: "RS256", ext: true },
          { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
          false,
          ["verify"],
        ),
      );
    } catch {
      // A key that does not import is skipped; the others still verify.
    }
  }
  return { keys, fetchedAt: now };
}
