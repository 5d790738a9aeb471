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
  /** Whether the request gave any secret in plain text (rather than "(sealed)", or none). */
  plaintextSecrets: boolean;
}

/**
 * The applies (by their keyring: `keyringOf` makes one per request) whose request gave a secret
 * in plain text. placeholders.ts notes each one as it looks at every secret a request carries.
 */
const plaintextGiven = new WeakSet<Keyring>();

/** Notes that the apply using `keyring` was given a secret in plain text. */
export function notePlaintextSecret(keyring: Keyring): void {
  plaintextGiven.add(keyring);
}

/** The fingerprints of an applied document (its secrets restored from "(sealed)" first). */
export async function fingerprint(keyring: Keyring, input: unknown): Promise<Fingerprints> {
  const all = (await macs(keyring, "apply-fingerprints", canonicalJson(input))).map((bytes) => toHex(bytes));
  return { current: all[0] ?? "", all, plaintextSecrets: plaintextGiven.has(keyring) };
}

/**
 * What an apply did, from the fingerprint stored with the previous object (absent when it is
 * new). A dry run given a secret in plain text is never "unchanged": that answer would tell
 * whether the guess equals the stored secret, without changing anything — an oracle. A real
 * apply may say it: a wrong guess replaces the stored secret, for all to see.
 */
export function applyActionOf(
  previous: { fingerprint?: string | null } | null,
  next: Fingerprints,
  dryRun = false,
): ApplyAction {
  if (previous === null) return "created";
  if (dryRun && next.plaintextSecrets) return "configured";
  return previous.fingerprint && next.all.includes(previous.fingerprint) ? "unchanged" : "configured";
}
