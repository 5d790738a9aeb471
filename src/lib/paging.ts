import { z } from "zod";

/** The `limit` every list takes: 1–500, 50 by default. */
export const limitSchema = z.coerce.number().int().min(1).max(500).default(50);

/**
 * One page of a list: stores fetch `limit + 1` rows, and the extra row (if any) says there is a
 * next page, which starts after the last row shown.
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (row: T) => string,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
