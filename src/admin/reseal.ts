import { resealPendingGates } from "../approvals/reseal";
import { resealPolicies } from "../approvals/store";
import { resealWebhookClients } from "../auth/reseal";
import { SecretBox } from "../auth/secret-box";
import { keyringOf } from "../auth/secrets";
import { resealClusters } from "../clusters/store";
import { serviceSecretContext } from "../notifications/services/resolve";
import { resealServices } from "../notifications/store";

/**
 * Key rotation's second step: with HOOKLINE_SECRET_KEY set to the new key and
 * HOOKLINE_SECRET_KEY_PREVIOUS to the old one, re-encrypt every sealed value under the new key —
 * webhook client secrets, cluster tokens, approval policy header secrets and GitHub App keys and
 * webhook secrets (and the snapshots in pending gates), notification service URLs and secrets. Afterwards the previous key can go.
 * Returns how many values each kind re-encrypted (values already under the new key count 0).
 */
export async function resealEverything(env: Env): Promise<Record<string, number>> {
  const box = new SecretBox(keyringOf(env));
  const [webhookClients, clusters, approvalPolicies, approvalGates, notificationServices] = await Promise.all([
    resealWebhookClients(env.DB, box),
    resealClusters(env.DB, box),
    resealPolicies(env.DB, box),
    resealPendingGates(env),
    resealServices(env.DB, box, serviceSecretContext),
  ]);
  return { webhookClients, clusters, approvalPolicies, approvalGates, notificationServices };
}
