import { Hono } from "hono";
import { z } from "zod";
import { isDryRun } from "../lib/apply";
import { readDocument } from "../lib/documents";
import { notFound } from "../lib/errors";
import { assertNamespace, assertObjectName } from "../lib/names";
import { parseWith } from "../lib/validation";
import type { AppEnv } from "./context";
import { applyActionOf, fingerprint } from "./fingerprint";
import { restoreValue } from "./placeholders";
import { authorize, GLOBAL } from "./principal";
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

/**
 * `/api/v1/namespaces/{ns}/webhookclients`: the signing secrets that let GitHub, GitLab,
 * Bitbucket, Standard Webhooks or any HMAC sender post events without a bearer token. Admin
 * only, because a client is a credential with `events:write`.
 */
export const webhookClientRoutes = new Hono<AppEnv>()
  .put("/namespaces/:namespace/webhookclients/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const namespace = assertNamespace(c.req.param("namespace"));
    const name = assertObjectName(c.req.param("name"), "webhook client name");
    const dryRun = isDryRun(c.req.query("dryRun"));
    const document = await readDocument(c.req.raw);
    const parsed = parseWith(webhookClientSchema, document);
    const keyring = keyringOf(c.env);
    const previous = await getWebhookClient(c.env.DB, namespace, name);
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
      await upsertWebhookClient(c.env.DB, record);
      forgetWebhookClients(namespace);
    }
    const shown = action === "unchanged" && previous ? previous : record;
    const headers: Record<string, string> = { "x-hookline-action": action };
    if (input.secret.length < MIN_SECRET_LENGTH) {
      headers.warning = `299 - "webhook client ${name}: its secret is shorter than ${MIN_SECRET_LENGTH} characters and easy to guess; use a long random one where the sender lets you"`;
    }
    return c.json(describeClient(shown), previous ? 200 : 201, headers);
  })
  .get("/namespaces/:namespace/webhookclients", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const namespace = assertNamespace(c.req.param("namespace"));
    const clients = await listWebhookClients(c.env.DB, namespace);
    return c.json({ items: clients.map(describeClient) });
  })
  .get("/namespaces/:namespace/webhookclients/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const namespace = assertNamespace(c.req.param("namespace"));
    const name = assertObjectName(c.req.param("name"), "webhook client name");
    const client = await getWebhookClient(c.env.DB, namespace, name);
    if (!client) throw notFound(`webhook client "${name}" not found in namespace "${namespace}"`);
    return c.json(describeClient(client));
  })
  .delete("/namespaces/:namespace/webhookclients/:name", async (c) => {
    authorize(c.get("principal"), "admin", GLOBAL);
    const namespace = assertNamespace(c.req.param("namespace"));
    const name = assertObjectName(c.req.param("name"), "webhook client name");
    if (!(await deleteWebhookClient(c.env.DB, namespace, name))) {
      throw notFound(`webhook client "${name}" not found in namespace "${namespace}"`);
    }
    forgetWebhookClients(namespace);
    return c.body(null, 204);
  });

/** A client as the API shows it: never the secret. */
function describeClient(client: WebhookClientRecord) {
  return {
    namespace: client.namespace,
    name: client.name,
    type: client.type,
    secret: SEALED,
    ...(client.requireTimestamp ? { requireTimestamp: true } : {}),
    rateLimit: describeRateLimit(client.rateLimit),
    createdAt: new Date(client.createdAt).toISOString(),
    updatedAt: new Date(client.updatedAt).toISOString(),
  };
}
