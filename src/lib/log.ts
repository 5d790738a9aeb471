/**
 * Structured logs: one JSON object per line, as `wrangler tail` and Workers Logs index them
 * (`level`, `msg`, and the ids that tie a line to what it is about). Every event processed,
 * submit, delivery and decision writes one; errors carry the error's message (never a secret:
 * callers pass ids and names, not values).
 */

/** What a line may name; anything else the caller adds is kept as it is. */
export interface LogFields {
  eventId?: string | undefined;
  namespace?: string | undefined;
  binding?: string | undefined;
  workflow?: string | null | undefined;
  cluster?: string | undefined;
  gate?: string | undefined;
  delivery?: string | undefined;
  service?: string | undefined;
  traceId?: string | undefined;
  durationMs?: number | undefined;
  [field: string]: unknown;
}

type Level = "debug" | "info" | "warn" | "error";

function write(level: Level, msg: string, fields: LogFields, error?: unknown): void {
  const line: Record<string, unknown> = { level, msg, ...fields };
  if (error !== undefined) {
    line.error = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.stack && level === "error") line.stack = error.stack;
  }
  let text: string;
  try {
    text = JSON.stringify(line);
  } catch {
    text = JSON.stringify({ level, msg, error: "log fields could not be serialized" });
  }
  if (level === "error") console.error(text);
  else if (level === "warn") console.warn(text);
  else console.log(text);
}

export const log = {
  info: (msg: string, fields: LogFields = {}) => write("info", msg, fields),
  warn: (msg: string, fields: LogFields = {}, error?: unknown) => write("warn", msg, fields, error),
  error: (msg: string, fields: LogFields = {}, error?: unknown) => write("error", msg, fields, error),
};
