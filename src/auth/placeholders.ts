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
 * nothing stored behind it is refused.
 */

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

/** `value`, or the stored secret when it is the placeholder. */
export async function restoreValue(
  keyring: Keyring,
  value: string | undefined,
  sealed: string | null | undefined,
  context: string,
  field: string,
): Promise<string | undefined> {
  return value === SEALED ? storedValue(keyring, sealed, context, field) : value;
}

/** Headers with each "(sealed)" secret replaced by the stored header's value (same name). */
export async function restoreHeaders(
  keyring: Keyring,
  headers: HeaderInput[],
  previous: readonly StoredHeader[] | undefined,
  contextOf: (header: string) => string,
  path: string,
): Promise<HeaderInput[]> {
  return Promise.all(
    headers.map(async (header, index) => {
      if (!("secret" in header) || header.secret !== SEALED) return header;
      const stored = previous?.find((candidate) => candidate.name === header.name && "sealed" in candidate);
      const sealed = stored && "sealed" in stored ? stored.sealed : null;
      return {
        name: header.name,
        secret: await storedValue(keyring, sealed, contextOf(header.name), `${path}[${index}].secret`),
      };
    }),
  );
}
