import { createHash } from "node:crypto";

/**
 * A short fingerprint of one oracle case (its source and the data it ran with), stored beside
 * the committed answer: a case edited without asking the oracle again no longer matches its answer.
 */
export function caseKey(source: string, data: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([source, data ?? null]))
    .digest("hex")
    .slice(0, 12);
}
