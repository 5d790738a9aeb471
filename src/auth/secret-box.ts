import { AppError } from "../lib/errors";
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from "./crypto";

/** Shortest HOOKLINE_SECRET_KEY accepted; `npm start` generates 43 characters. */
export const MIN_SECRET_KEY_LENGTH = 32;
const VERSION = "v1";
const keyCache = new Map<string, Promise<CryptoKey>>();

/**
 * Encrypts and decrypts secrets at rest with AES-256-GCM. The key is derived with HKDF from
 * the Worker secret HOOKLINE_SECRET_KEY. Each ciphertext is bound to the record it belongs to
 * (`context`, used as additional data) so it cannot be moved to another row.
 */
export class SecretBox {
  private constructor(private readonly key: Promise<CryptoKey>) {}

  /** A box for `secretKey`; throws a clear internal error when the key is missing or weak. */
  static fromSecretKey(secretKey: string | undefined): SecretBox {
    if (!secretKey || secretKey.length < MIN_SECRET_KEY_LENGTH) {
      throw new AppError(
        "internal",
        `HOOKLINE_SECRET_KEY is not configured (it must be at least ${MIN_SECRET_KEY_LENGTH} characters); secrets cannot be stored or read`,
      );
    }
    let key = keyCache.get(secretKey);
    if (!key) {
      key = deriveKey(secretKey, "hookline/secrets-at-rest/v1", "AES-GCM");
      keyCache.set(secretKey, key);
    }
    return new SecretBox(key);
  }

  /** Encrypts `plaintext` for the record named by `context`. */
  async seal(plaintext: string, context: string): Promise<string> {
    const iv = randomBytes(12);
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: utf8(context) },
      await this.key,
      utf8(plaintext),
    );
    const out = new Uint8Array(iv.byteLength + ciphertext.byteLength);
    out.set(iv, 0);
    out.set(new Uint8Array(ciphertext), iv.byteLength);
    return `${VERSION}:${toBase64Url(out)}`;
  }

  /** Decrypts what `seal` produced for the same `context`; throws when it was tampered with. */
  async open(sealed: string, context: string): Promise<string> {
    const [version, body] = sealed.split(":", 2);
    const bytes = body ? fromBase64Url(body) : null;
    if (version !== VERSION || !bytes || bytes.byteLength < 13) {
      throw new AppError("internal", "stored secret is malformed");
    }
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: utf8(context) },
        await this.key,
        bytes.subarray(12),
      );
      return new TextDecoder().decode(plaintext);
    } catch {
      throw new AppError("internal", "stored secret cannot be decrypted (was HOOKLINE_SECRET_KEY changed?)");
    }
  }
}

/** Derives a non-extractable key for `purpose` from the Worker's secret key. */
export async function deriveKey(secretKey: string, purpose: string, algorithm: "AES-GCM" | "HMAC"): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", utf8(secretKey), "HKDF", false, ["deriveKey"]);
  const params = { name: "HKDF", hash: "SHA-256", salt: utf8("hookline"), info: utf8(purpose) };
  return algorithm === "AES-GCM"
    ? crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
    : crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]);
}
