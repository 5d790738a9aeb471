import packageJson from "../../package.json";
import { concatBytes, fromBase64Url, sha256Hex, toBase64Url, utf8 } from "../lib/crypto";
import { callOutbound, describeRedirect, isRedirect } from "../lib/outbound";
import { fail, ok, type Result } from "../lib/result";

/**
 * Acting as a GitHub App: an RS256 JSON Web Token signed with the App's private key (as GitHub
 * hands it out — a PKCS#1 "RSA PRIVATE KEY" PEM — or PKCS#8), exchanged for an installation
 * access token (`POST {apiUrl}/app/installations/{id}/access_tokens`), which is cached until it
 * expires. WebCrypto imports only PKCS#8, so a PKCS#1 key is wrapped in a PKCS#8 envelope first.
 */

/** GitHub's default REST API origin (GitHub Enterprise Server: `https://HOST/api/v3`). */
export const GITHUB_API_URL = "https://api.github.com";
/** GitHub's API refuses requests without a User-Agent (403). */
export const GITHUB_USER_AGENT = `hookline/${packageJson.version}`;
const API_VERSION = "2022-11-28";
const CALL_TIMEOUT_MS = 10_000;
/** `iat` this far in the past guards against clock drift (GitHub's advice). */
const ISSUED_BEFORE_SECONDS = 60;
/** `exp` may be at most 10 minutes ahead of GitHub's clock; stay a minute inside that. */
const EXPIRES_AFTER_SECONDS = 9 * 60;
/** A cached token is used until this long before it expires. */
const TOKEN_MARGIN_MS = 60_000;
const MAX_CACHED_TOKENS = 500;
const MAX_KEY_PEM_LENGTH = 16_384;

/** The headers every call to GitHub's REST API carries. */
export function githubHeaders(authorization: string): Record<string, string> {
  return {
    accept: "application/vnd.github+json",
    authorization,
    "user-agent": GITHUB_USER_AGENT,
    "x-github-api-version": API_VERSION,
  };
}

const RSA_ENCRYPTION_ALGORITHM = new Uint8Array([
  // SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL }
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
]);

/** A DER length: short form below 128, else 0x80 + the number of big-endian length bytes. */
function derLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

function derElement(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes([new Uint8Array([tag]), derLength(content.byteLength), content]);
}

/** A PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption). */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  const version = new Uint8Array([0x02, 0x01, 0x00]);
  return derElement(0x30, concatBytes([version, RSA_ENCRYPTION_ALGORITHM, derElement(0x04, pkcs1)]));
}

/** The PKCS#8 DER of a PEM private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"), or null. */
export function privateKeyDer(pem: string): Uint8Array | null {
  if (pem.length > MAX_KEY_PEM_LENGTH) return null;
  const match = /-----BEGIN (RSA )?PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END (RSA )?PRIVATE KEY-----/.exec(pem);
  if (!match || match[1] !== match[3]) return null;
  const der = fromBase64Url((match[2] ?? "").replace(/\s+/g, ""));
  if (!der || der.byteLength < 64) return null;
  return match[1] ? pkcs1ToPkcs8(der) : der;
}

/** The App's signing key, or null when `pem` is not an RSA private key WebCrypto can sign with. */
export async function importAppPrivateKey(pem: string): Promise<CryptoKey | null> {
  const der = privateKeyDer(pem);
  if (!der) return null;
  try {
    return await crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  } catch {
    return null;
  }
}

/** An App JWT (RS256; `iat` a minute in the past, `exp` nine minutes ahead, `iss` the App id). */
export async function appJwt(appId: number, key: CryptoKey, nowMs = Date.now()): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  const encode = (value: unknown) => toBase64Url(utf8(JSON.stringify(value)));
  const signed = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({
    iat: now - ISSUED_BEFORE_SECONDS,
    exp: now + EXPIRES_AFTER_SECONDS,
    iss: String(appId),
  })}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, utf8(signed));
  return `${signed}.${toBase64Url(new Uint8Array(signature))}`;
}

/** What an installation token is minted for: one App on one GitHub, one installation, one repository. */
export interface InstallationScope {
  apiUrl: string;
  appId: number;
  /** The App's private key (PEM). */
  privateKey: string;
  installationId: number;
  repositoryId: number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Tokens by App, installation, repository and private key: a token is reused only by a caller
 * that holds the same key (a policy naming another's App id with its own key never gets a token
 * the other's key minted).
 */
const tokens = new Map<string, CachedToken>();

async function cacheKey(scope: InstallationScope): Promise<string> {
  const key = await sha256Hex(scope.privateKey);
  return [scope.apiUrl, scope.appId, scope.installationId, scope.repositoryId, key].join("\n");
}

/** Forgets a cached token (GitHub answered 401 with it). */
export async function forgetInstallationToken(scope: InstallationScope): Promise<void> {
  tokens.delete(await cacheKey(scope));
}

/**
 * An installation access token for one repository with `deployments: write` — cached until
 * shortly before it expires, else minted with a fresh App JWT. A failure says whether trying
 * again later may help (GitHub unreachable, 5xx, rate limited).
 */
export async function installationToken(scope: InstallationScope, nowMs = Date.now()): Promise<Result<string>> {
  const key = await cacheKey(scope);
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - TOKEN_MARGIN_MS > nowMs) return ok(cached.token);
  const signingKey = await importAppPrivateKey(scope.privateKey);
  if (!signingKey) return fail("internal", "the GitHub App's private key cannot be read");
  const url = `${scope.apiUrl}/app/installations/${scope.installationId}/access_tokens`;
  const called = await callOutbound(
    url,
    {
      method: "POST",
      headers: {
        ...githubHeaders(`Bearer ${await appJwt(scope.appId, signingKey, nowMs)}`),
        "content-type": "application/json",
      },
      body: JSON.stringify({ repository_ids: [scope.repositoryId], permissions: { deployments: "write" } }),
    },
    CALL_TIMEOUT_MS,
  );
  if (!called.ok) return fail("internal", `cannot reach ${url}: ${called.message}`, { retryable: true });
  const { response } = called;
  if (response.status !== 201) {
    const permanent = isRedirect(response.status) || (response.status < 500 && !isRateLimited(response));
    const answer = isRedirect(response.status) ? describeRedirect(response) : githubMessage(response);
    return fail(
      "internal",
      `GitHub refused an installation token for installation ${scope.installationId}: ${answer}`,
      {
        retryable: !permanent,
      },
    );
  }
  let parsed: { token?: unknown; expires_at?: unknown };
  try {
    parsed = JSON.parse(response.text) as typeof parsed;
  } catch {
    return fail("internal", "GitHub's installation token answer is not JSON", { retryable: true });
  }
  const expiresAt = typeof parsed.expires_at === "string" ? Date.parse(parsed.expires_at) : Number.NaN;
  if (typeof parsed.token !== "string" || parsed.token === "" || Number.isNaN(expiresAt)) {
    return fail("internal", "GitHub's installation token answer has no token or expiry", { retryable: true });
  }
  if (tokens.size >= MAX_CACHED_TOKENS) {
    const oldest = tokens.keys().next().value;
    if (oldest !== undefined) tokens.delete(oldest);
  }
  tokens.set(key, { token: parsed.token, expiresAt });
  return ok(parsed.token);
}

/** True when GitHub said to slow down (429, or a 403 with an exhausted rate limit or Retry-After). */
export function isRateLimited(response: { status: number; headers: Headers }): boolean {
  if (response.status === 429) return true;
  return (
    response.status === 403 &&
    (response.headers.get("x-ratelimit-remaining") === "0" || response.headers.has("retry-after"))
  );
}

/** "<status>: <GitHub's message>" for error answers. */
export function githubMessage(response: { status: number; text: string }): string {
  let message = response.text.slice(0, 200);
  try {
    const body = JSON.parse(response.text) as { message?: unknown };
    if (typeof body.message === "string") message = body.message.slice(0, 200);
  } catch {
    // not JSON: keep the text
  }
  return message ? `${response.status} ${message}` : String(response.status);
}
