import { fromHex, randomBytes, toBase64Url, toHex } from "../lib/crypto";

/**
 * API token text: `hl_<16 hex id>_<43 chars of base64url secret>`. The id is public and
 * finds the stored row; the whole text is hashed and compared in constant time.
 */
const tokenPattern = /^hl_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/** A fresh token text and its public id. */
export function generateToken(): { token: string; tokenId: string } {
  const tokenId = toHex(randomBytes(8));
  return { token: `hl_${tokenId}_${toBase64Url(randomBytes(32))}`, tokenId };
}

/** The public id of a well-formed token text, or null. */
export function tokenIdOf(token: string): string | null {
  return tokenPattern.exec(token)?.[1] ?? null;
}

/** Bytes of a stored hex hash (as written by sha256Hex). */
export function hashBytes(hexHash: string): Uint8Array {
  return fromHex(hexHash) ?? new Uint8Array(0);
}
