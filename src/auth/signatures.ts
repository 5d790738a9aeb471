import {
  concatBytes,
  constantTimeEqual,
  constantTimeEqualStrings,
  fromBase64Url,
  fromHex,
  hmacSha256,
  utf8,
} from "../lib/crypto";

/** The webhook senders hookline verifies, as in Argo's webhook interceptor plus generic HMAC and Standard Webhooks. */
export const WEBHOOK_CLIENT_TYPES = [
  "github",
  "gitlab",
  "bitbucket",
  "bitbucketserver",
  "hmac-sha256",
  "standard-webhooks",
] as const;
export type WebhookClientType = (typeof WEBHOOK_CLIENT_TYPES)[number];

/** Headers that carry a credential: verified, then kept out of the event's metadata. */
export const CREDENTIAL_HEADERS = ["x-gitlab-token", "x-hook-uuid", "webhook-signature", "svix-signature"] as const;

/** A signed timestamp older or newer than this is refused (a captured delivery cannot be replayed later). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** Which header(s) each sender signs with; a client is only tried when one is present. */
const signatureHeaders: ReadonlyMap<WebhookClientType, readonly string[]> = new Map([
  ["github", ["x-hub-signature-256"]],
  ["gitlab", ["x-gitlab-token"]],
  // Bitbucket Cloud signs with a secret (X-Hub-Signature); older hooks send their UUID.
  ["bitbucket", ["x-hub-signature", "x-hook-uuid"]],
  ["bitbucketserver", ["x-hub-signature"]],
  ["hmac-sha256", ["x-hookline-signature"]],
  // Svix (and every Svix-powered sender: Clerk, Resend…) sends the same scheme under its own names.
  ["standard-webhooks", ["webhook-signature", "svix-signature"]],
]);

/** True when the request carries the header a client of `type` signs with. */
export function hasSignatureFor(type: WebhookClientType, headers: Headers): boolean {
  return (signatureHeaders.get(type) ?? []).some((name) => headers.has(name));
}

/** True when any supported signature header is present. */
export function hasAnySignature(headers: Headers): boolean {
  return WEBHOOK_CLIENT_TYPES.some((type) => hasSignatureFor(type, headers));
}

/** How one client verifies: its type, secret and options. */
export interface SignatureClient {
  type: WebhookClientType;
  secret: string;
  /** hmac-sha256 only: refuse deliveries without a signed `X-Hookline-Timestamp`. */
  requireTimestamp: boolean;
}

/**
 * Verifies a delivery the way each sender signs it, in constant time:
 * GitHub `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`; GitLab `X-Gitlab-Token:
 * <secret>`; Bitbucket Cloud `X-Hub-Signature: sha256=<hex>` (or the legacy `X-Hook-UUID`
 * equal to the secret); Bitbucket Server `X-Hub-Signature: sha256=<hex>`; generic
 * `X-Hookline-Signature: sha256=<hex>` over the body, or over `<timestamp>.<body>` when
 * `X-Hookline-Timestamp` is sent; Standard Webhooks `webhook-signature: v1,<base64>` (several,
 * space-separated, for rotation) over `<webhook-id>.<webhook-timestamp>.<body>` — or Svix's
 * names for the same three headers (`svix-id`, `svix-timestamp`, `svix-signature`). Signed
 * timestamps must be within five minutes of `now`.
 */
export async function verifySignature(
  client: SignatureClient,
  headers: Headers,
  body: Uint8Array,
  now = Date.now(),
): Promise<boolean> {
  switch (client.type) {
    case "github":
      return verifyHmacHeader(headers.get("x-hub-signature-256"), client.secret, body);
    case "gitlab":
      return verifyEqualHeader(headers.get("x-gitlab-token"), client.secret);
    case "bitbucket":
      if (headers.has("x-hub-signature")) return verifyHmacHeader(headers.get("x-hub-signature"), client.secret, body);
      return verifyEqualHeader(headers.get("x-hook-uuid"), client.secret);
    case "bitbucketserver":
      return verifyHmacHeader(headers.get("x-hub-signature"), client.secret, body);
    case "hmac-sha256": {
      const timestamp = headers.get("x-hookline-timestamp");
      if (timestamp === null) {
        return !client.requireTimestamp && verifyHmacHeader(headers.get("x-hookline-signature"), client.secret, body);
      }
      if (!withinTolerance(timestamp, now)) return false;
      return verifyHmacHeader(
        headers.get("x-hookline-signature"),
        client.secret,
        concatBytes([utf8(`${timestamp.trim()}.`), body]),
      );
    }
    case "standard-webhooks":
      return verifyStandardWebhook(client.secret, headers, body, now);
  }
}

async function verifyHmacHeader(value: string | null, secret: string | Uint8Array, body: Uint8Array): Promise<boolean> {
  const hex = value?.trim().match(/^sha256=([0-9a-fA-F]{64})$/)?.[1];
  const presented = hex ? fromHex(hex) : null;
  if (!presented) return false;
  return constantTimeEqual(presented, await hmacSha256(secret, body));
}

async function verifyEqualHeader(value: string | null, secret: string): Promise<boolean> {
  if (value === null) return false;
  return constantTimeEqualStrings(value, secret);
}

/** The signing key of a Standard Webhooks secret (`whsec_<base64>`), or null when it is not one. */
export function standardWebhooksKey(secret: string): Uint8Array | null {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const key = match?.[1] ? fromBase64Url(match[1]) : null;
  return key && key.byteLength >= 16 && key.byteLength <= 64 ? key : null;
}

async function verifyStandardWebhook(
  secret: string,
  headers: Headers,
  body: Uint8Array,
  now: number,
): Promise<boolean> {
  const key = standardWebhooksKey(secret);
  const id = standardWebhookHeader(headers, "id");
  const timestamp = standardWebhookHeader(headers, "timestamp");
  const signatures = standardWebhookHeader(headers, "signature");
  if (!key || !id || !timestamp || !signatures || !withinTolerance(timestamp, now)) return false;
  const expected = await hmacSha256(key, concatBytes([utf8(`${id}.${timestamp.trim()}.`), body]));
  let valid = false;
  for (const entry of signatures.trim().split(/\s+/).slice(0, 10)) {
    const [version, encoded] = entry.split(",", 2);
    const presented = version === "v1" && encoded ? fromBase64Url(encoded) : null;
    if (presented && constantTimeEqual(presented, expected)) valid = true;
  }
  return valid;
}

/**
 * One of the three Standard Webhooks headers, under Svix's name (`svix-id`…) or the standard one
 * (`webhook-id`…): Svix's own `verify` reads them so, the Svix name first.
 */
export function standardWebhookHeader(headers: Headers, part: "id" | "timestamp" | "signature"): string | null {
  return headers.get(`svix-${part}`) ?? headers.get(`webhook-${part}`);
}

function withinTolerance(timestamp: string, now: number): boolean {
  const trimmed = timestamp.trim();
  if (!/^\d{1,12}$/.test(trimmed)) return false;
  return Math.abs(now / 1000 - Number(trimmed)) <= TIMESTAMP_TOLERANCE_SECONDS;
}

/**
 * Slack's request signature (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret,
 * "v0:<X-Slack-Request-Timestamp>:<raw body>")>`, with the timestamp within five minutes of now
 * so a captured click cannot be replayed later. Constant time.
 */
export async function verifySlackSignature(
  signingSecret: string,
  headers: Headers,
  rawBody: string,
  nowMs = Date.now(),
): Promise<boolean> {
  const timestamp = headers.get("x-slack-request-timestamp") ?? "";
  const signature = headers.get("x-slack-signature") ?? "";
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS)
    return false;
  const presented = signature.startsWith("v0=") ? fromHex(signature.slice(3)) : null;
  if (!presented) return false;
  const expected = await hmacSha256(signingSecret, `v0:${timestamp}:${rawBody}`);
  return constantTimeEqual(presented, expected);
}

/**
 * Lark/Feishu's callback signature, when the app has an Encrypt Key: `X-Lark-Signature: <hex
 * SHA-256 of timestamp + nonce + encrypt key + raw body>` with `X-Lark-Request-Timestamp` (seconds,
 * within five minutes) and `X-Lark-Request-Nonce`. Constant time.
 */
export async function verifyLarkSignature(
  encryptKey: string,
  headers: Headers,
  rawBody: string,
  nowMs = Date.now(),
): Promise<boolean> {
  const timestamp = headers.get("x-lark-request-timestamp") ?? "";
  const nonce = headers.get("x-lark-request-nonce") ?? "";
  const presented = fromHex(headers.get("x-lark-signature") ?? "");
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS)
    return false;
  if (!presented || nonce.length > 256) return false;
  const expected = new Uint8Array(
    await crypto.subtle.digest("SHA-256", utf8(`${timestamp}${nonce}${encryptKey}${rawBody}`)),
  );
  return constantTimeEqual(presented, expected);
}

/**
 * Opens Lark's `{"encrypt": "…"}`: base64 of a 16-byte IV and AES-256-CBC ciphertext (PKCS#7),
 * keyed with SHA-256 of the Encrypt Key. Null when it does not open.
 */
export async function decryptLark(encryptKey: string, encrypted: string): Promise<string | null> {
  const bytes = fromBase64Url(encrypted);
  if (!bytes || bytes.length < 32 || bytes.length % 16 !== 0) return null;
  try {
    const keyBytes = await crypto.subtle.digest("SHA-256", utf8(encryptKey));
    const key = await crypto.subtle.importKey("raw", keyBytes, "AES-CBC", false, ["decrypt"]);
    const plain = await crypto.subtle.decrypt({ name: "AES-CBC", iv: bytes.slice(0, 16) }, key, bytes.slice(16));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(plain);
  } catch {
    return null;
  }
}
