import { AppError } from "../lib/errors";
import type { StoredService } from "../notifications/schema";
import { getObject } from "../notifications/store";
import { channelsOf } from "./approvers";
import type { StoredPolicy } from "./policy";

/**
 * The chat services that carry decisions. A policy's `manual.channels` names the services its
 * gates send their requests (with buttons or links) through; a click or link counts only through
 * them. Such a service must have been configured by an admin — whoever may route notifications
 * must not hold the signing secret that vouches for an approver, nor the URL that receives the
 * links — and once a policy names it, changing what it verifies or where it sends needs admin.
 */

/** Throws 400 naming the channel when a policy names a service that cannot carry decisions. */
export async function checkDecisionChannels(db: D1Database, policy: StoredPolicy): Promise<void> {
  for (const [index, channel] of channelsOf(policy.manual).entries()) {
    const service = await getObject<StoredService>(db, "notification_services", channel.service);
    const field = `manual.channels[${index}].service`;
    if (!service) {
      throw new AppError(
        "invalid_argument",
        `${field}: notification service "${channel.service}" does not exist (an admin applies it first)`,
      );
    }
    if (service.adminConfigured !== true) {
      throw new AppError(
        "invalid_argument",
        `${field}: notification service "${channel.service}" was last changed without admin rights; an admin must apply it before it carries approval decisions`,
      );
    }
  }
}

/** The policies (`namespace/name`) whose channels name a service: while any does, it carries decisions. */
export async function policiesDecidingThrough(db: D1Database, service: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT p.namespace || '/' || p.name AS policy FROM approval_policies AS p, json_each(p.object, '$.manual.channels') AS channel
       WHERE json_extract(channel.value, '$.service') = ?1 ORDER BY 1 LIMIT 5`,
    )
    .bind(service)
    .all<{ policy: string }>();
  return results.map((row) => row.policy);
}
