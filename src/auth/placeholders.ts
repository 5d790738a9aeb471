import { AppError } from "../lib/errors";
import { notePlaintextSecret } from "./fingerprint";
import type { Keyring } from "./keys";
import type { HeaderInput, StoredHeader } from "./sealed-headers";
import { SecretBox, UnreadableSecretError } from "./secret-box";
import { SEALED } from "./secrets";

/**
 * `get -o yaml | apply -f -`: the API shows a stored secret as "(sealed)", and applying that
 * placeholder back means "keep what is stored". Before an object is built, each placeholder is
 * replaced by the value it stands for (opened from the stored object), so sealing and the
 * "unchanged" fingerprint see the same input as the apply that stored it. A placeholder with
 * nothing stored behind it is refused — and so is one whose secret would now go somewhere else
 * (a changed URL): keeping a secret must never be a way to send it to a new destination — and
 * one whose stored secret no longer decrypts (a key replaced without a reseal) is 409: the
 * secret itself replaces it. Every secret a request carries passes through here, so here is
 * where an apply learns it was given one in plain text (fingerprint.ts: dry runs).
 */

/** Where a kept secret would be sent: refused when that changed. */
export interface Destination {
  unchanged: boolean;
  /** What it is, for the message ("url", "webhooks[0].uri"). */
  field: string;
}

function assertSameDestination(destination: Destination | undefined, field: string): void {
  if (destination && !destination.unchanged) {
    throw new AppError(
      "invalid_argument",
      `${field}: "${SEALED}" keeps a stored secret only while ${destination.field} stays the same; give the secret itself to send it somewhere new`,
    );
  }
}

/** The stored secret a "(sealed)" placeholder stands for; 400 when there is none, 409 when it no longer decrypts. */
export async function storedValue(
  keyring: Keyring,
  sealed: string | null | undefined,
  context: string,
  field: string,
): Promise<string> {
  if (!sealed) {
    throw new AppError(
      "invalid_argument",
      `${field}: "${SEALED}" keeps a stored secret, and none is stored here: give the secret itself`,
    );
  }
  try {
    return await new SecretBox(keyring).open(sealed, context);
  } catch (error) {
    if (!(error instanceof UnreadableSecretError)) throw error;
    throw new AppError(
      "aborted",
      `${field}: the stored secret no longer decrypts (HOOKLINE_SECRET_KEY was replaced without HOOKLINE_SECRET_KEY_PREVIOUS and a reseal), so "${SEALED}" cannot keep it: give the secret itself`,
    );
  }
}

/** The stored secret, or null when it no longer decrypts (for comparisons that must not fail an overwrite). */
export async function storedValueIfReadable(keyring: Keyring, sealed: string, context: string): Promise<string | null> {
  try {
    return await new SecretBox(keyring).open(sealed, context);
  } catch (error) {
    if (error instanceof UnreadableSecretError) return null;
    throw error;
  }
}

/** `value`, or the stored secret when it is the placeholder (and `destination`, if given, is unchanged). */
export async function restoreValue(
  keyring: Keyring,
  value: string | undefined,
  sealed: string | null | undefined,
  context: string,
  field: string,
  destination?: Destination,
): Promise<string | undefined> {
  if (value !== SEALED) {
    if (value !== undefined) notePlaintextSecret(keyring);
    return value;
  }
  const stored = await storedValue(keyring, sealed, context, field);
  assertSameDestination(destination, field);
  return stored;
}

/** Headers with each "(sealed)" secret replaced by the stored header's value (same name). */
export async function restoreHeaders(
  keyring: Keyring,
  headers: HeaderInput[],
  previous: readonly StoredHeader[] | undefined,
  contextOf: (header: string) => string,
  path: string,
  destination: Destination,
): Promise<HeaderInput[]> {
  return Promise.all(
    headers.map(async (header, index) => {
      if (!("secret" in header)) return header;
      if (header.secret !== SEALED) {
        notePlaintextSecret(keyring);
        return header;
      }
      const stored = previous?.find((candidate) => candidate.name === header.name && "sealed" in candidate);
      const sealed = stored && "sealed" in stored ? stored.sealed : null;
      const field = `${path}[${index}].secret`;
      const secret = await storedValue(keyring, sealed, contextOf(header.name), field);
      assertSameDestination(destination, field);
      return { name: header.name, secret };
    }),
  );
}
