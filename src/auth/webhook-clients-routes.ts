import { Hono } from "hono";
import { z } from "zod";
import { actionOf, fingerprint, isDryRun } from "../lib/apply";
import type { AppEnv } from "../lib/context";
import { readDocument } from "../lib/documents";
import { notFound } from "../lib/errors";
import { assertNamespace, assertObjectName } from "../lib/names";
import { parseWith } from "../lib/validation";
import { authorize } from "./principal";
import { SecretBox } from "./secret-box";
import { WEBHOOK_CLIENT_TYPES } from "./signatures";
import { forgetWebhookClients, webhookClientSecretContext } from "./webhook-auth";
import {
  deleteWebhookClient,
  getWebhookClient,
  listWebhookClients,
  upsertWebhookClient,
  type WebhookClientRecord,
} from "./webhook-clients-store";

const webhookClientSchema = z.strictObject({
  type: z.enum(WEBHOOK_CLIENT_TYPES),
  secret: z.string().min(8, "must be at least 8 characters").max(1024),
});

/**
 * `/api/v1/namespaces/{ns}/webhookclients`: the signing secrets that let GitHub, GitLab,
 * Bitbucket or any HMAC sender post events without a bearer token. Admin only, because a
 * client is a credential with `events:write`.
 */
export const webhookClientRoutes = new Hono<AppEnv>()
  .put("/namespaces/:namespace/webhookclients/:name", async (c) => {
    authorize(c.get("principal"), "admin");
    const namespace = assertNamespace(c.req.param("namespace"));
    const name = assertObjectName(c.req.param("name"), "webhook client name");
    const dryRun = isDryRun(c.req.query("dryRun"));
    const document = await readDocument(c.req.raw);
    const input = parseWith(webhookClientSchema, document);
    const box = SecretBox.fromSecretKey(c.env.HOOKLINE_SECRET_KEY);
    const previous = await getWebhookClient(c.env.DB, namespace, name);
    const print = await fingerprint(c.env.HOOKLINE_SECRET_KEY, document);
    const action = actionOf(previous?.fingerprint, previous !== null, print);
    const now = Date.now();
    const record: WebhookClientRecord = {
      namespace,
      name,
      type: input.type,
      secretSealed: await box.seal(input.secret, webhookClientSecretContext(namespace, name)),
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      fingerprint: print,
    };
    if (action !== "unchanged" && !dryRun) {
      await upsertWebhookClient(c.env.DB, record);
      forgetWebhookClients(namespace);
    }
    const shown = action === "unchanged" && previous ? previous : record;
    return c.json(describeClient(shown), previous ? 200 : 201, { "x-hookline-action": action });
  })
  .get("/namespaces/:namespace/webhookclients", async (c) => {
    authorize(c.get("principal"), "admin");
    const namespace = assertNamespace(c.req.param("namespace"));
    const clients = await listWebhookClients(c.env.DB, namespace);
    return c.json({ items: clients.map(describeClient) });
  })
  .get("/namespaces/:namespace/webhookclients/:name", async (c) => {
    authorize(c.get("principal"), "admin");
    const namespace = assertNamespace(c.req.param("namespace"));
    const name = assertObjectName(c.req.param("name"), "webhook client name");
    const client = await getWebhookClient(c.env.DB, namespace, name);
    if (!client) throw notFound(`webhook client "${name}" not found in namespace "${namespace}"`);
    return c.json(describeClient(client));
  })
  .delete("/namespaces/:namespace/webhookclients/:name", async (c) => {
    authorize(c.get("principal"), "admin");
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
    createdAt: new Date(client.createdAt).toISOString(),
    updatedAt: new Date(client.updatedAt).toISOString(),
  };
}
