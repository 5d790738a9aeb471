import { AppError } from "../lib/errors";
import type { Principal } from "./principal";
import { SecretBox } from "./secret-box";
import { keyringOf } from "./secrets";
import { hasSignatureFor, type SignatureClient, verifySignature } from "./signatures";
import { listWebhookClients, type WebhookClientRecord } from "./webhook-clients-store";

interface UnsealedClient extends SignatureClient {
  record: WebhookClientRecord;
}

/** Decrypted clients per namespace, cached briefly; writes in this isolate evict at once. */
const CACHE_TTL_MS = 10_000;
const clientCache = new Map<string, { clients: UnsealedClient[]; until: number }>();

/** Forgets the cached clients of a namespace (after one is changed or deleted). */
export function forgetWebhookClients(namespace: string): void {
  clientCache.delete(namespace);
}

/** The record context a client secret is sealed to. */
export function webhookClientSecretContext(namespace: string, name: string): string {
  return `webhook-client:${namespace}/${name}`;
}

/**
 * Authenticates an event delivery without a bearer token by its signature: the first webhook
 * client of the namespace whose signature verifies becomes the sender, with `events:write` in
 * that namespace only (and the client's own rate limit). Throws unauthenticated when none verifies.
 */
export async function authenticateSignature(
  env: Env,
  namespace: string,
  headers: Headers,
  body: Uint8Array,
  now = Date.now(),
): Promise<Principal> {
  const clients = await loadClients(env, namespace, now);
  for (const client of clients) {
    if (!hasSignatureFor(client.type, headers)) continue;
    if (await verifySignature(client, headers, body, now)) {
      return {
        kind: "webhook-client",
        name: `${namespace}/${client.record.name}`,
        scopes: ["events:write"],
        namespaces: [namespace],
        templates: null,
        rateLimit: client.record.rateLimit,
      };
    }
  }
  throw new AppError(
    "unauthenticated",
    "webhook signature does not match any webhook client of this namespace (or its timestamp is outside the 5-minute window)",
  );
}

async function loadClients(env: Env, namespace: string, now: number): Promise<UnsealedClient[]> {
  const cached = clientCache.get(namespace);
  if (cached && cached.until > now) return cached.clients;
  const records = await listWebhookClients(env.DB, namespace);
  const box = records.length > 0 ? new SecretBox(keyringOf(env)) : null;
  const clients = await Promise.all(
    records.map(
      async (record): Promise<UnsealedClient> => ({
        record,
        type: record.type,
        requireTimestamp: record.requireTimestamp,
        secret: box ? await box.open(record.secretSealed, webhookClientSecretContext(namespace, record.name)) : "",
      }),
    ),
  );
  clientCache.set(namespace, { clients, until: now + CACHE_TTL_MS });
  return clients;
}
