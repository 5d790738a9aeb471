import { type ApplyAction, canonicalJson } from "../lib/apply";
import { toHex } from "../lib/crypto";
import { type Keyring, macs } from "./keys";

/**
 * Keyed fingerprints (HMAC-SHA256 under a key derived from HOOKLINE_SECRET_KEY) of what a client
 * applied, secrets included in plain text. Stored beside the sealed object, one tells a re-apply
 * of the same input ("unchanged") without decrypting anything, and reveals nothing about the
 * secrets to someone who reads the database.
 */
export interface Fingerprints {
  /** Under the current key: what is stored. */
  current: string;
  /** Every form the same input may have been stored under (current and previous key). */
  all: string[];
}

/** The fingerprints of an applied document. */
export async function fingerprint(keyring: Keyring, input: unknown): Promise<Fingerprints> {
  const all = (await macs(keyring, "apply-fingerprints", canonicalJson(input))).map((bytes) => toHex(bytes));
  return { current: all[0] ?? "", all };
}

/** What an apply did, from the fingerprint stored with the previous object (absent when it is new). */
export function applyActionOf(previous: { fingerprint?: string | null } | null, next: Fingerprints): ApplyAction {
  if (previous === null) return "created";
  return previous.fingerprint && next.all.includes(previous.fingerprint) ? "unchanged" : "configured";
}
