import { concatBytes, fromBase64Url, randomBytes, toBase64Url, utf8 } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { derivedKey, type Keyring, keysOf } from "./keys";

const VERSION = "v1";

/** A stored secret that opens under no key of the keyring (or is malformed): 500 unless a caller knows better. */
export class UnreadableSecretError extends AppError {
  constructor(message: string) {
    super("internal", message);
  }
}

/**
 * Encrypts and decrypts secrets at rest with AES-256-GCM under a key derived (HKDF) from
 * HOOKLINE_SECRET_KEY. Each ciphertext is bound to the record it belongs to (`context`, used as
 * additional data) so it cannot be moved to another row. Values sealed under the previous key of
 * a rotation still open; `reseal` moves them to the current key.
 */
export class SecretBox {
  constructor(private readonly keyring: Keyring) {}

  /** Encrypts `plaintext` for the record named by `context`, under the current key. */
  async seal(plaintext: string, context: string): Promise<string> {
    const iv = randomBytes(12);
    const key = await derivedKey(this.keyring.current, "secrets-at-rest", "AES-GCM");
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: utf8(context) },
      key,
      utf8(plaintext),
    );
    return `${VERSION}:${toBase64Url(concatBytes([iv, new Uint8Array(ciphertext)]))}`;
  }

  /** Decrypts what `seal` produced for the same `context`; throws when it was tampered with. */
  async open(sealed: string, context: string): Promise<string> {
    return (await this.openWithKey(sealed, context)).plaintext;
  }

  /**
   * The same secret sealed under the current key, or null when it already is. Throws when the
   * value opens under neither key.
   */
  async reseal(sealed: string, context: string): Promise<string | null> {
    const { plaintext, current } = await this.openWithKey(sealed, context);
    return current ? null : this.seal(plaintext, context);
  }

  private async openWithKey(sealed: string, context: string): Promise<{ plaintext: string; current: boolean }> {
    const [version, body] = sealed.split(":", 2);
    const bytes = body ? fromBase64Url(body) : null;
    if (version !== VERSION || !bytes || bytes.byteLength < 13) {
      throw new UnreadableSecretError("stored secret is malformed");
    }
    const keys = keysOf(this.keyring);
    for (const [index, secret] of keys.entries()) {
      try {
        const plaintext = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: utf8(context) },
          await derivedKey(secret, "secrets-at-rest", "AES-GCM"),
          bytes.subarray(12),
        );
        return { plaintext: new TextDecoder().decode(plaintext), current: index === 0 };
      } catch {
        // not this key: try the next one
      }
    }
    throw new UnreadableSecretError(
      "stored secret cannot be decrypted (was HOOKLINE_SECRET_KEY changed without HOOKLINE_SECRET_KEY_PREVIOUS?)",
    );
  }
}
