import { z } from "zod";
import { ownValue } from "../lib/collections";
import { AppError } from "../lib/errors";
import type { Keyring } from "./keys";
import { hasAllNamespaces, hasScope, type Principal } from "./principal";
import { SecretBox } from "./secret-box";

/**
 * Secrets that stored objects use — a cluster's token, an approval webhook's header, a
 * notification service's URL — are either sealed values (given through the API, encrypted at
 * rest) or the name of a Worker secret (`wrangler secret put`). This file is the one place that
 * turns either into a value, and the one place that says who may name a Worker secret: only
 * the `admin` scope, and never hookline's own (`HOOKLINE_*`). Namespace users seal values.
 */

/** What a stored object holds for one secret. */
export type SecretReference = { sealed: string } | { workerSecret: string };

const RESERVED_PREFIX = "HOOKLINE_";
/** Shortest HOOKLINE_SECRET_KEY accepted; `npm start` generates 43 characters. */
export const MIN_SECRET_KEY_LENGTH = 32;

/** A Worker secret name as users may write it: UPPER_SNAKE_CASE, not one of hookline's own. */
export const workerSecretNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "must be the name of a Worker secret (UPPER_SNAKE_CASE)")
  .refine((name) => !name.startsWith(RESERVED_PREFIX), `names starting ${RESERVED_PREFIX} are hookline's own`);

/**
 * Throws permission_denied unless the principal may name Worker secrets. Called before anything
 * about the named secrets is looked at, so the answer never tells whether one exists.
 */
export function authorizeWorkerSecretNames(principal: Principal, names: ReadonlyArray<{ field: string }>): void {
  const [first] = names;
  if (first === undefined || (hasScope(principal, "admin") && hasAllNamespaces(principal))) return;
  throw new AppError(
    "permission_denied",
    `${first.field}: naming a Worker secret needs the "admin" scope; send the value itself and it is sealed at rest`,
  );
}

/** The string value of a Worker binding by name, or null when there is none (never a prototype member). */
export function workerSecret(env: Env, name: string): string | null {
  const value = ownValue(env, name);
  return typeof value === "string" && value !== "" ? value : null;
}

/** The keyring of an environment; throws a clear internal error when the current key is missing or weak. */
export function keyringOf(env: Env): Keyring {
  const current = env.HOOKLINE_SECRET_KEY;
  if (!current || current.length < MIN_SECRET_KEY_LENGTH) {
    throw new AppError(
      "internal",
      `HOOKLINE_SECRET_KEY is not configured (it must be at least ${MIN_SECRET_KEY_LENGTH} characters); secrets, sessions and tokens cannot be made or checked`,
    );
  }
  const previous = workerSecret(env, "HOOKLINE_SECRET_KEY_PREVIOUS");
  return { current, previous: previous && previous !== current ? previous : null };
}

/** The plain value of a secret reference. `context` is the record the sealed value is bound to. */
export async function resolveSecret(env: Env, reference: SecretReference, context: string): Promise<string> {
  if ("sealed" in reference) return new SecretBox(keyringOf(env)).open(reference.sealed, context);
  const name = reference.workerSecret;
  const value = name.startsWith(RESERVED_PREFIX) ? null : workerSecret(env, name);
  if (value === null) throw new AppError("internal", `the Worker secret ${name} is not set`);
  return value;
}

/** How the API shows a stored secret in place of its value. */
export const SEALED = "(sealed)";

/**
 * A secret as a request gives it. "(sealed)" — how the API shows a stored secret — means "keep
 * what is stored" (src/auth/placeholders.ts replaces it before anything is sealed).
 */
export function secretValueSchema(maxLength: number) {
  return z.string().min(1).max(maxLength);
}
