import { z } from "zod";
import { can, route } from "../http/route";
import { isDryRun } from "../lib/apply";
import { readDocument } from "../lib/documents";
import { assertNamespace } from "../lib/names";
import {
  applyWebhookClient,
  removeWebhookClient,
  webhookClientList,
  webhookClientNamed,
  webhookClientSchema,
  webhookClientViewSchema,
} from "./webhook-clients";

const path = "/api/v1/namespaces/:namespace/webhookclients";

/** `/api/v1/namespaces/{ns}/webhookclients`: signing secrets of senders without a token (admin only). */
export const webhookClientRoutes = [
  route(
    {
      method: "PUT",
      path: `${path}/:name`,
      access: can.admin,
      summary: "Create or replace a webhook client (GitHub, GitLab, Bitbucket, Standard Webhooks, HMAC)",
      tag: "access",
      body: webhookClientSchema,
      yaml: true,
      responses: { 200: webhookClientViewSchema, 201: webhookClientViewSchema },
    },
    async (c, { param }) => {
      const applied = await applyWebhookClient(
        c.env,
        assertNamespace(param("namespace")),
        param("name"),
        await readDocument(c.req.raw),
        isDryRun(c.req.query("dryRun")),
      );
      const headers: Record<string, string> = { "x-hookline-action": applied.action };
      if (applied.warning) headers.warning = applied.warning;
      return c.json(applied.client, applied.created ? 201 : 200, headers);
    },
  ),
  route(
    {
      method: "GET",
      path,
      access: can.admin,
      summary: "List a namespace's webhook clients",
      tag: "access",
      responses: { 200: z.object({ items: z.array(webhookClientViewSchema) }) },
    },
    async (c, { param }) => c.json(await webhookClientList(c.env.DB, assertNamespace(param("namespace")))),
  ),
  route(
    {
      method: "GET",
      path: `${path}/:name`,
      access: can.admin,
      summary: "Read one webhook client",
      tag: "access",
      responses: { 200: webhookClientViewSchema },
    },
    async (c, { param }) =>
      c.json(await webhookClientNamed(c.env.DB, assertNamespace(param("namespace")), param("name"))),
  ),
  route(
    {
      method: "DELETE",
      path: `${path}/:name`,
      access: can.admin,
      summary: "Remove a webhook client",
      tag: "access",
      responses: { 204: "empty" },
    },
    async (c, { param }) => {
      await removeWebhookClient(c.env.DB, assertNamespace(param("namespace")), param("name"));
      return c.body(null, 204);
    },
  ),
];
