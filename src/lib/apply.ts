import { toHex, utf8 } from "../auth/crypto";
import { deriveKey, MIN_SECRET_KEY_LENGTH } from "../auth/secret-box";
import { AppError } from "./errors";

/** What an apply (PUT) did, as kubectl reports it; sent in the `X-Hookline-Action` header. */
export type ApplyAction = "created" | "configured" | "unchanged";

/** `?dryRun=All` (as kubectl sends it) validates without writing. */
export function isDryRun(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === "All" || value === "true") return true;
  throw new AppError("invalid_argument", 'dryRun must be "All"');
}

/** JSON with object keys sorted, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : item,
  );
}

const keys = new Map<string, Promise<CryptoKey>>();

/**
 * A keyed fingerprint (HMAC-SHA256 under a key derived from HOOKLINE_SECRET_KEY) of what a
 * client applied, secrets included in plain text. Stored beside the sealed object, it tells a
 * re-apply of the same input ("unchanged") without decrypting anything, and reveals nothing
 * about the secrets to someone who reads the database.
 */
export async function fingerprint(secretKey: string | undefined, input: unknown): Promise<string> {
  if (!secretKey || secretKey.length < MIN_SECRET_KEY_LENGTH) {
    throw new AppError("internal", "HOOKLINE_SECRET_KEY is not configured");
  }
  let key = keys.get(secretKey);
  if (!key) {
    key = deriveKey(secretKey, "hookline/apply-fingerprints/v1", "HMAC");
    keys.set(secretKey, key);
  }
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", await key, utf8(canonicalJson(input)))));
}

/** The action of an apply, from the previous fingerprint (null when the object is new). */
export function actionOf(previous: string | null | undefined, exists: boolean, next: string): ApplyAction {
  if (!exists) return "created";
  return previous === next ? "unchanged" : "configured";
}
