import { z } from "zod";
import type { SecretBox } from "./secret-box";
import { resolveSecret, SEALED, secretValueSchema, workerSecretNameSchema } from "./secrets";

/**
 * Extra HTTP headers an object sends with its outbound calls (approval webhooks, notification
 * services, clusters — e.g. a Cloudflare Access service token): each plain, a secret sealed at
 * rest (given as `secret`, never shown again), or the name of a Worker secret (admin only).
 */

export const headerNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, "must be an HTTP header name");

export const headerInputSchema = z.union([
  z.strictObject({ name: headerNameSchema, value: z.string().max(8192) }),
  z.strictObject({ name: headerNameSchema, secret: secretValueSchema(8192) }),
  z.strictObject({ name: headerNameSchema, workerSecret: workerSecretNameSchema }),
]);
export type HeaderInput = z.output<typeof headerInputSchema>;

/** A header as stored: plain, sealed (AES-GCM), or a named Worker secret. */
export type StoredHeader =
  | { name: string; value: string }
  | { name: string; sealed: string }
  | { name: string; workerSecret: string };

/** The fields of `headers` (under `path`) that name a Worker secret, for authorizeWorkerSecretNames. */
export function workerSecretFields(headers: readonly HeaderInput[], path: string): Array<{ field: string }> {
  return headers.flatMap((header, index) =>
    "workerSecret" in header ? [{ field: `${path}[${index}].workerSecret` }] : [],
  );
}

/** Seals the `secret` headers (each to its own context); the box is made only when one needs it. */
export async function sealHeaders(
  headers: readonly HeaderInput[],
  box: () => SecretBox,
  contextOf: (header: string) => string,
): Promise<StoredHeader[]> {
  return Promise.all(
    headers.map(
      async (header): Promise<StoredHeader> =>
        "secret" in header
          ? { name: header.name, sealed: await box().seal(header.secret, contextOf(header.name)) }
          : header,
    ),
  );
}

/** The headers' values: sealed ones opened, Worker secrets read. Throws when one cannot be read. */
export async function resolveHeaders(
  env: Env,
  headers: readonly StoredHeader[],
  contextOf: (header: string) => string,
): Promise<Array<[string, string]>> {
  return Promise.all(
    headers.map(async (header): Promise<[string, string]> => {
      if ("value" in header) return [header.name, header.value];
      const reference = "sealed" in header ? { sealed: header.sealed } : { workerSecret: header.workerSecret };
      return [header.name, await resolveSecret(env, reference, contextOf(header.name))];
    }),
  );
}

/** Re-seals the sealed headers under the current key, in place; returns how many changed. */
export async function resealHeaders(
  headers: StoredHeader[],
  box: SecretBox,
  contextOf: (header: string) => string,
): Promise<number> {
  let changed = 0;
  for (const header of headers) {
    if (!("sealed" in header)) continue;
    const sealed = await box.reseal(header.sealed, contextOf(header.name));
    if (sealed === null) continue;
    header.sealed = sealed;
    changed += 1;
  }
  return changed;
}

/** Headers as the API shows them: a sealed value is never returned. */
export function describeHeaders(headers: readonly StoredHeader[]) {
  return headers.map((header) => ("sealed" in header ? { name: header.name, secret: SEALED } : header));
}
