import { AppError } from "../lib/errors";
import type { Keyring } from "./keys";
import type { HeaderInput, StoredHeader } from "./sealed-headers";
import { SecretBox } from "./secret-box";
import { SEALED } from "./secrets";

/**
 * `get -o yaml | apply -f -`: the API shows a stored secret as "(sealed)", and applying that
 * placeholder back means "keep what is stored". Before an object is built, each placeholder is
 * replaced by the value it stands for (opened from the stored object), so sealing and the
 * "unchanged" fingerprint see the same input as the apply that stored it. A placeholder with
 * nothing stored behind it is refused — and so is one whose secret would now go somewhere else
 * (a changed URL): keeping a secret must never be a way to send it to a new destination.
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

/** The stored secret a "(sealed)" placeholder stands for; 400 when there is none. */
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
  return new SecretBox(keyring).open(sealed, context);
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
  if (value !== SEALED) return value;
  if (sealed) assertSameDestination(destination, field);
  return storedValue(keyring, sealed, context, field);
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
      if (!("secret" in header) || header.secret !== SEALED) return header;
      const stored = previous?.find((candidate) => candidate.name === header.name && "sealed" in candidate);
      const sealed = stored && "sealed" in stored ? stored.sealed : null;
      if (sealed) assertSameDestination(destination, `${path}[${index}].secret`);
      return {
        name: header.name,
        secret: await storedValue(keyring, sealed, contextOf(header.name), `${path}[${index}].secret`),
      };
    }),
  );
}
