import { AppError } from "../lib/errors";
import type { Principal } from "./principal";
import { SecretBox } from "./secret-box";
import { hasSignatureFor, verifySignature, type WebhookClientType } from "./signatures";
import { listWebhookClients } from "./webhook-clients-store";

interface UnsealedClient {
  name: string;
  type: WebhookClientType;
  secret: string;
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
 * Authenticates an unsigned-in event delivery by its signature: the first webhook client of
 * the namespace whose signature verifies becomes the sender, with `events:write` in that
 * namespace only. Throws unauthenticated when none verifies.
 */
export async function authenticateSignature(
  db: D1Database,
  secretKey: string | undefined,
  namespace: string,
  headers: Headers,
  body: Uint8Array,
  now = Date.now(),
): Promise<Principal> {
  const clients = await loadClients(db, secretKey, namespace, now);
  for (const client of clients) {
    if (!hasSignatureFor(client.type, headers)) continue;
    if (await verifySignature(client.type, client.secret, headers, body)) {
      return {
        kind: "webhook-client",
        name: `${namespace}/${client.name}`,
        scopes: ["events:write"],
        namespaces: [namespace],
        templates: null,
      };
    }
  }
  throw new AppError("unauthenticated", "webhook signature does not match any webhook client of this namespace");
}

async function loadClients(
  db: D1Database,
  secretKey: string | undefined,
  namespace: string,
  now: number,
): Promise<UnsealedClient[]> {
  const cached = clientCache.get(namespace);
  if (cached && cached.until > now) return cached.clients;
  const records = await listWebhookClients(db, namespace);
  const box = records.length > 0 ? SecretBox.fromSecretKey(secretKey) : null;
  const clients = await Promise.all(
    records.map(async (record) => ({
      name: record.name,
      type: record.type,
      secret: box ? await box.open(record.secretSealed, webhookClientSecretContext(namespace, record.name)) : "",
    })),
  );
  clientCache.set(namespace, { clients, until: now + CACHE_TTL_MS });
  return clients;
}
