import { AppError } from "./errors";

/** What an apply (PUT) did, as kubectl reports it; sent in the `X-Hookline-Action` header. */
export type ApplyAction = "created" | "configured" | "unchanged";

/** `?dryRun=All` (as kubectl sends it) validates without writing. */
export function isDryRun(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === "All" || value === "true") return true;
  throw new AppError("invalid_argument", 'dryRun must be "All"');
}

/** JSON with object keys sorted, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : item,
  );
}
