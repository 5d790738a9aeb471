import { constantTimeEqual, constantTimeEqualStrings, fromHex, hmacSha256 } from "./crypto";

/** The webhook senders hookline verifies, as in Argo's webhook interceptor plus generic HMAC. */
export const WEBHOOK_CLIENT_TYPES = ["github", "gitlab", "bitbucket", "bitbucketserver", "hmac-sha256"] as const;
export type WebhookClientType = (typeof WEBHOOK_CLIENT_TYPES)[number];

/** Headers that carry a credential: verified, then kept out of the event's metadata. */
export const CREDENTIAL_HEADERS = ["x-gitlab-token", "x-hook-uuid"] as const;

/** Which header(s) each sender signs with; a client is only tried when one is present. */
const signatureHeaders: Record<WebhookClientType, readonly string[]> = {
  github: ["x-hub-signature-256"],
  gitlab: ["x-gitlab-token"],
  // Bitbucket Cloud signs with a secret (X-Hub-Signature); older hooks send their UUID.
  bitbucket: ["x-hub-signature", "x-hook-uuid"],
  bitbucketserver: ["x-hub-signature"],
  "hmac-sha256": ["x-hookline-signature"],
};

/** True when the request carries the header a client of `type` signs with. */
export function hasSignatureFor(type: WebhookClientType, headers: Headers): boolean {
  return signatureHeaders[type].some((name) => headers.has(name));
}

/** True when any supported signature header is present. */
export function hasAnySignature(headers: Headers): boolean {
  return WEBHOOK_CLIENT_TYPES.some((type) => hasSignatureFor(type, headers));
}

/**
 * Verifies a delivery the way each sender signs it, in constant time:
 * GitHub `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`; GitLab `X-Gitlab-Token:
 * <secret>`; Bitbucket Cloud `X-Hub-Signature: sha256=<hex>` (or the legacy `X-Hook-UUID`
 * equal to the secret); Bitbucket Server `X-Hub-Signature: sha256=<hex>`; generic
 * `X-Hookline-Signature: sha256=<hex>`.
 */
export async function verifySignature(
  type: WebhookClientType,
  secret: string,
  headers: Headers,
  body: Uint8Array,
): Promise<boolean> {
  switch (type) {
    case "github":
      return verifyHmacHeader(headers.get("x-hub-signature-256"), secret, body);
    case "gitlab":
      return verifyEqualHeader(headers.get("x-gitlab-token"), secret);
    case "bitbucket":
      if (headers.has("x-hub-signature")) return verifyHmacHeader(headers.get("x-hub-signature"), secret, body);
      return verifyEqualHeader(headers.get("x-hook-uuid"), secret);
    case "bitbucketserver":
      return verifyHmacHeader(headers.get("x-hub-signature"), secret, body);
    case "hmac-sha256":
      return verifyHmacHeader(headers.get("x-hookline-signature"), secret, body);
  }
}

async function verifyHmacHeader(value: string | null, secret: string, body: Uint8Array): Promise<boolean> {
  const hex = value?.trim().match(/^sha256=([0-9a-fA-F]{64})$/)?.[1];
  const presented = hex ? fromHex(hex) : null;
  if (!presented) return false;
  return constantTimeEqual(presented, await hmacSha256(secret, body));
}

async function verifyEqualHeader(value: string | null, secret: string): Promise<boolean> {
  if (value === null) return false;
  return constantTimeEqualStrings(value, secret);
}
