import { z } from "zod";
import type { RateLimit } from "./principal";

/**
 * A sender's own ingest rate limit, as tokens and webhook clients take it:
 * `rateLimit: {requests: 100, period: "10s" | "1m"}`. Without one, a sender gets the gateway's
 * default, which lets one sender burst (wrangler.toml, INGEST_RATE_LIMITER).
 */
export const rateLimitSchema = z.strictObject({
  requests: z.number().int().min(1).max(1_000_000),
  period: z.enum(["10s", "1m"]),
});

/** The stored form of a `rateLimit` input. */
export function toRateLimit(input: z.output<typeof rateLimitSchema> | undefined): RateLimit | null {
  if (input === undefined) return null;
  return { requests: input.requests, periodSeconds: input.period === "10s" ? 10 : 60 };
}

/** A rate limit as the API shows it (the input's own shape). */
export function describeRateLimit(limit: RateLimit | null): { requests: number; period: "10s" | "1m" } | null {
  if (limit === null) return null;
  return { requests: limit.requests, period: limit.periodSeconds === 10 ? "10s" : "1m" };
}
