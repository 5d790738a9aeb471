// The event-body bucket's lifecycle, as `npm run deploy` sets it: event bodies (batch packs,
// spilled bodies) and dead letters expire by the bucket's rule after EVENT_RETENTION_DAYS.

/** The name of the rule hookline owns on the bucket (replaced on every deploy). */
export const LIFECYCLE_RULE = "hookline-event-retention";

/** The bucket bound as EVENT_BODIES and the days its objects live, from wrangler.toml (or one environment of it). */
export async function eventBodiesExpiry(configPath, environment) {
  const wrangler = await import("wrangler");
  const config = wrangler.unstable_readConfig({ config: configPath, ...(environment ? { env: environment } : {}) });
  const bucket = (config.r2_buckets ?? []).find((entry) => entry.binding === "EVENT_BODIES")?.bucket_name;
  if (!bucket) throw new Error("wrangler.toml binds no R2 bucket as EVENT_BODIES");
  const days = Number(config.vars?.EVENT_RETENTION_DAYS ?? 7);
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`EVENT_RETENTION_DAYS must be a whole number of days, not ${days}`);
  return { bucket, days };
}
