import { z } from "zod";
import type { ApplyAction } from "../lib/apply";
import { notFound } from "../lib/errors";
import { assertNamespace, assertObjectName } from "../lib/names";
import { parseWith } from "../lib/validation";
import { applyActionOf, fingerprint } from "./fingerprint";
import { restoreValue } from "./placeholders";
import { SecretBox } from "./secret-box";
import { keyringOf, SEALED, secretValueSchema } from "./secrets";
import { describeRateLimit, rateLimitSchema, toRateLimit } from "./sender-limits";
import { standardWebhooksKey, WEBHOOK_CLIENT_TYPES } from "./signatures";
import { forgetWebhookClients, webhookClientSecretContext } from "./webhook-auth";
import {
  deleteWebhookClient,
  getWebhookClient,
  listWebhookClients,
  upsertWebhookClient,
  type WebhookClientRecord,
} from "./webhook-clients-store";

/**
 * A namespace's webhook clients — the signing secrets that let GitHub, GitLab, Bitbucket,
 * Standard Webhooks or any HMAC sender post events without a bearer token — as the API manages
 * them (admin only: a client is a credential with `events:write`). Secrets are sealed, never shown.
 */

/** Below this length a signing secret is accepted with a warning. */
const MIN_SECRET_LENGTH = 8;

export const webhookClientSchema = z
  .strictObject({
    type: z.enum(WEBHOOK_CLIENT_TYPES),
    /** Short secrets are accepted (GitHub takes them, and Argo's own e2e uses one) with a warning. */
    secret: secretValueSchema(1024),
    /** hmac-sha256: refuse deliveries without a signed X-Hookline-Timestamp (no replays after 5 minutes). */
    requireTimestamp: z.boolean().default(false),
    rateLimit: rateLimitSchema.optional(),
  })
  .refine((client) => client.type !== "standard-webhooks" || standardWebhooksKey(client.secret) !== null, {
    path: ["secret"],
    message: "a standard-webhooks secret is whsec_ followed by the base64 of a 16–64 byte key",
  })
  .refine((client) => !client.requireTimestamp || client.type === "hmac-sha256", {
    path: ["requireTimestamp"],
    message: "applies to hmac-sha256 clients only (standard-webhooks always signs a timestamp)",
  });

/** A client as the API shows it: never the secret. */
export const webhookClientViewSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  type: z.enum(WEBHOOK_CLIENT_TYPES),
  secret: z.literal(SEALED),
  requireTimestamp: z.literal(true).optional(),
  rateLimit: z.object({ requests: z.number().int(), period: z.enum(["10s", "1m"]) }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type WebhookClientView = z.output<typeof webhookClientViewSchema>;

/** Applies a webhook client: what it shows, what the apply did, and a warning for a short secret. */
export async function applyWebhookClient(
  env: Env,
  namespace: string,
  name: string,
  body: unknown,
  dryRun: boolean,
): Promise<{ client: WebhookClientView; action: ApplyAction; created: boolean; warning: string | null }> {
  assertNamespace(namespace);
  assertObjectName(name, "webhook client name");
  const parsed = parseWith(webhookClientSchema, body);
  const keyring = keyringOf(env);
  const previous = await getWebhookClient(env.DB, namespace, name);
  // "(sealed)" keeps the stored secret; the fingerprint is of the validated input, so applying what `get` printed is "unchanged".
  const secret = await restoreValue(
    keyring,
    parsed.secret,
    previous?.secretSealed,
    webhookClientSecretContext(namespace, name),
    "secret",
  );
  const input = { ...parsed, secret: secret ?? parsed.secret };
  const prints = await fingerprint(keyring, input);
  const action = applyActionOf(previous, prints, dryRun);
  const now = Date.now();
  const record: WebhookClientRecord = {
    namespace,
    name,
    type: input.type,
    secretSealed: await new SecretBox(keyring).seal(input.secret, webhookClientSecretContext(namespace, name)),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    fingerprint: prints.current,
    rateLimit: toRateLimit(input.rateLimit),
    requireTimestamp: input.requireTimestamp,
  };
  if (action !== "unchanged" && !dryRun) {
    await upsertWebhookClient(env.DB, record);
    forgetWebhookClients(namespace);
  }
  const shown = action === "unchanged" && previous ? previous : record;
  const warning =
    input.secret.length < MIN_SECRET_LENGTH
      ? `299 - "webhook client ${name}: its secret is shorter than ${MIN_SECRET_LENGTH} characters and easy to guess; use a long random one where the sender lets you"`
      : null;
  return { client: describeClient(shown), action, created: previous === null, warning };
}

/** A namespace's webhook clients. */
export async function webhookClientList(db: D1Database, namespace: string): Promise<{ items: WebhookClientView[] }> {
  return { items: (await listWebhookClients(db, namespace)).map(describeClient) };
}

/** One webhook client, or not_found. */
export async function webhookClientNamed(db: D1Database, namespace: string, name: string): Promise<WebhookClientView> {
  const client = await getWebhookClient(db, namespace, assertObjectName(name, "webhook client name"));
  if (!client) throw notFound(`webhook client "${name}" not found in namespace "${namespace}"`);
  return describeClient(client);
}

/** Removes a webhook client (its signatures stop working at once in this isolate), or not_found. */
export async function removeWebhookClient(db: D1Database, namespace: string, name: string): Promise<void> {
  if (!(await deleteWebhookClient(db, namespace, assertObjectName(name, "webhook client name")))) {
    throw notFound(`webhook client "${name}" not found in namespace "${namespace}"`);
  }
  forgetWebhookClients(namespace);
}

function describeClient(client: WebhookClientRecord): WebhookClientView {
  return {
    namespace: client.namespace,
    name: client.name,
    type: client.type,
    secret: SEALED,
    ...(client.requireTimestamp ? { requireTimestamp: true as const } : {}),
    rateLimit: describeRateLimit(client.rateLimit),
    createdAt: new Date(client.createdAt).toISOString(),
    updatedAt: new Date(client.updatedAt).toISOString(),
  };
}
