import { z } from "zod";
import { assertReach, GLOBAL, type Principal } from "../auth/principal";
import { AppError } from "../lib/errors";
import { log } from "../lib/log";
import { loadNotificationConfig } from "./config";
import { enqueueDeliveries } from "./enqueue";
import { fanOut, resourceOf } from "./fanout";

/** Largest resource document accepted. */
export const MAX_RESOURCE_BYTES = 512 * 1024;

/** What posting a resource did: the triggers that fired, the deliveries made, and the problems met. */
export const postedResourceSchema = z.object({
  resource: z.string(),
  fired: z.array(
    z.object({
      trigger: z.string(),
      condition: z.number().int(),
      destination: z.string(),
      templates: z.array(z.string()),
    }),
  ),
  deliveries: z.array(z.string()),
  problems: z.array(z.string()),
});

/**
 * A resource document (e.g. an Argo CD Application) posted for notifications: its triggers are
 * evaluated and its deliveries queued. Its deliveries belong to its namespace, so the principal
 * must be allowed there; it can never be one of hookline's own events (fanout.ts `resourceOf`).
 */
export async function postResource(
  env: Env,
  principal: Principal,
  document: unknown,
): Promise<z.output<typeof postedResourceSchema>> {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new AppError("invalid_argument", "the body must be a resource object (e.g. an Argo CD Application)");
  }
  const found = resourceOf(document as Record<string, unknown>);
  if (!found.ok) throw new AppError(found.error.code, found.error.message);
  const resource = found.value;
  assertReach(principal, resource.namespace === "" ? GLOBAL : resource.namespace);
  const config = await loadNotificationConfig(env.DB);
  const result = await fanOut(env.DB, config, resource);
  try {
    await enqueueDeliveries(env.DB, env.NOTIFICATIONS, result.deliveries);
  } catch (error) {
    // Recorded but not queued: the sweeper sends them within minutes.
    log.error("queueing deliveries failed; the sweeper will send them", {}, error);
  }
  return { resource: resource.key, fired: result.fired, deliveries: result.deliveries, problems: result.problems };
}
