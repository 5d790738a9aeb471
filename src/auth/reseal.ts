import type { SecretBox } from "./secret-box";
import { webhookClientSecretContext } from "./webhook-auth";
import { listAllWebhookClients, updateWebhookClientSecret } from "./webhook-clients-store";

/** Re-seals every webhook client secret under the current key; returns how many changed. */
export async function resealWebhookClients(db: D1Database, box: SecretBox): Promise<number> {
  let count = 0;
  for (const client of await listAllWebhookClients(db)) {
    const context = webhookClientSecretContext(client.namespace, client.name);
    const sealed = await box.reseal(client.secretSealed, context);
    if (
      sealed !== null &&
      (await updateWebhookClientSecret(db, client.namespace, client.name, client.secretSealed, sealed))
    )
      count += 1;
  }
  return count;
}
