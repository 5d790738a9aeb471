import { constantTimeEqual, utf8 } from "../lib/crypto";

/**
 * The Worker's secret keys (read by `keyringOf` in secrets.ts): HOOKLINE_SECRET_KEY, and during a rotation the key it replaced
 * (HOOKLINE_SECRET_KEY_PREVIOUS). New seals, signatures and tokens use the current key; what was
 * made under the previous one still opens and verifies until `POST /api/v1/admin/reseal` has run
 * and the previous key is removed.
 */
export interface Keyring {
  current: string;
  previous: string | null;
}

/** Everything hookline derives from the secret key, one key per purpose (HKDF `info`). */
export type KeyPurpose =
  | "secrets-at-rest"
  | "apply-fingerprints"
  | "oauth-access-tokens"
  | "console-sessions"
  | "approval-links"
  | "github-deliveries";

/** The keys of a keyring, current first. */
export function keysOf(keyring: Keyring): string[] {
  return keyring.previous === null ? [keyring.current] : [keyring.current, keyring.previous];
}

const cache = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 64;

/** A non-extractable key for `purpose`, derived with HKDF from one secret key, cached in the isolate. */
export function derivedKey(secretKey: string, purpose: KeyPurpose, algorithm: "AES-GCM" | "HMAC"): Promise<CryptoKey> {
  const cacheKey = `${algorithm}\u0000${purpose}\u0000${secretKey}`;
  let key = cache.get(cacheKey);
  if (!key) {
    key = deriveKey(secretKey, purpose, algorithm);
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    cache.set(cacheKey, key);
  }
  return key;
}

async function deriveKey(secretKey: string, purpose: KeyPurpose, algorithm: "AES-GCM" | "HMAC"): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", utf8(secretKey), "HKDF", false, ["deriveKey"]);
  const params = { name: "HKDF", hash: "SHA-256", salt: utf8("hookline"), info: utf8(`hookline/${purpose}/v1`) };
  return algorithm === "AES-GCM"
    ? crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
    : crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]);
}

/** HMAC-SHA256 of `text` under the current key for `purpose`. */
export function mac(keyring: Keyring, purpose: KeyPurpose, text: string): Promise<Uint8Array> {
  return macUnder(keyring.current, purpose, text);
}

/** Every MAC `text` may validly carry: under the current key, then the previous one. */
export function macs(keyring: Keyring, purpose: KeyPurpose, text: string): Promise<Uint8Array[]> {
  return Promise.all(keysOf(keyring).map((secret) => macUnder(secret, purpose, text)));
}

async function macUnder(secretKey: string, purpose: KeyPurpose, text: string): Promise<Uint8Array> {
  const key = await derivedKey(secretKey, purpose, "HMAC");
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(text)));
}

/** True when `presented` is the MAC of `text` under the current or the previous key (constant time). */
export async function verifyMac(
  keyring: Keyring,
  purpose: KeyPurpose,
  text: string,
  presented: Uint8Array,
): Promise<boolean> {
  let valid = false;
  // Compare against every key (no early exit), so timing does not tell which key matched.
  for (const expected of await macs(keyring, purpose, text)) valid = constantTimeEqual(presented, expected) || valid;
  return valid;
}
