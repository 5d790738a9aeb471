import { CREDENTIAL_HEADERS } from "../auth/signatures";
import { decodeUtf8 } from "../lib/body";
import { AppError } from "../lib/errors";
import { DEFAULT_JSON_SHAPE, jsonShapeProblem } from "../lib/json-scan";

/**
 * The event metadata Argo exposes to expressions: request headers whose names start with
 * `x-`, lowercased, each value a list of strings. Headers that carry a credential (GitLab's
 * token, Bitbucket's hook UUID) are verified elsewhere and never stored.
 */
export function extractMetadata(headers: Headers): Record<string, string[]> {
  const metadata: Array<[string, string[]]> = [];
  headers.forEach((value, name) => {
    // Headers iterate lowercased; repeated headers arrive joined by the runtime.
    if (name.startsWith("x-") && !(CREDENTIAL_HEADERS as readonly string[]).includes(name)) {
      metadata.push([name, [value]]);
    }
  });
  return Object.fromEntries(metadata);
}

const discriminatorPattern = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}$/;

/** Throws invalid_argument unless the discriminator is empty or a plain URL-safe word. */
export function assertDiscriminator(value: string): string {
  if (value === "" || discriminatorPattern.test(value)) return value;
  throw new AppError(
    "invalid_argument",
    "discriminator must be at most 253 characters of letters, digits and . _ : @ -, starting with a letter or digit",
  );
}

export interface ParsedBody {
  /** The payload as JSON text, exactly as sent (or as the form's `payload` field carried it). */
  text: string;
  /** Size of `text` in UTF-8 bytes. */
  bytes: number;
}

/**
 * Turns a raw event body into its JSON payload text. Any JSON value is accepted whatever the
 * Content-Type says (as Argo: `curl -d '{...}'` sends a form type); a form-encoded body with
 * a `payload` field (GitHub's form deliveries) is unwrapped to that field. The payload must
 * be valid UTF-8 JSON no deeper than `maxDepth` and within the size bounds of json-scan.ts —
 * checked by scanning before anything is parsed.
 */
export function parseEventBody(raw: Uint8Array, contentType: string | null, maxDepth: number): ParsedBody {
  if (raw.byteLength === 0) throw new AppError("invalid_argument", "request body is empty: send a JSON value");
  const text = decodeUtf8(raw);
  const limits = { ...DEFAULT_JSON_SHAPE, maxDepth };
  const checkShape = (candidate: string, what: string) => {
    const problem = jsonShapeProblem(candidate, limits);
    if (problem) throw new AppError("invalid_argument", `${what} is too large to accept: ${problem}`);
  };
  checkShape(text, "request body");
  try {
    JSON.parse(text);
    return { text, bytes: raw.byteLength };
  } catch (error) {
    const formPayload = isFormEncoded(contentType) ? new URLSearchParams(text).get("payload") : null;
    if (formPayload === null) {
      throw new AppError("invalid_argument", `request body is not valid JSON: ${(error as Error).message}`);
    }
    checkShape(formPayload, 'form field "payload"');
    try {
      JSON.parse(formPayload);
    } catch (formError) {
      throw new AppError("invalid_argument", `form field "payload" is not valid JSON: ${(formError as Error).message}`);
    }
    return { text: formPayload, bytes: new TextEncoder().encode(formPayload).byteLength };
  }
}

function isFormEncoded(contentType: string | null): boolean {
  return (contentType ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}
