import { z } from "zod";
import { can, route, type SignatureScheme } from "../http/route";
import { readDocument } from "../lib/documents";
import { limitSchema } from "../lib/paging";
import { bulkReplayAnswerSchema, bulkReplaySchema, replayMatching } from "./bulk-replay";
import { listTombstones } from "./graveyard";
import { eventAcceptedSchema, ingest, ingestQuerySchema, receiptSchema, signedSender } from "./ingest";
import { eventDetail, eventQuerySchema, listEventPage } from "./log";
import { replayEvent } from "./replay";
import { deadLetterPageSchema, eventDetailSchema, eventPageSchema } from "./views";

export const deadLetterQuerySchema = z.strictObject({
  limit: limitSchema,
  cursor: z.string().max(1024).optional(),
});

const SIGNED_CLIENTS: readonly SignatureScheme[] = [
  "githubSignature",
  "gitlabToken",
  "bitbucketSignature",
  "hooklineSignature",
  "standardWebhooks",
];

/**
 * `POST /api/v1/events/{namespace}/{discriminator}` — the Argo Workflows events endpoint, by a
 * bearer token or a webhook client's signature (discriminator optional, as Argo's).
 */
const ingestRoutes = [
  "/api/v1/events/:namespace/",
  "/api/v1/events/:namespace",
  "/api/v1/events/:namespace/:discriminator",
].map((path) =>
  route(
    {
      method: "POST",
      path,
      access: can.inNamespace("events:write"),
      summary: "Send an event (Argo Workflows' events API): any JSON body; 202 with its id",
      tag: "events",
      query: ingestQuerySchema,
      body: z.unknown().describe("Any JSON document: the event's payload, stored and matched as sent"),
      signatures: SIGNED_CLIENTS,
      signedSender,
      responses: { 200: receiptSchema, 202: eventAcceptedSchema },
    },
    async (c, { principal, namespace, query, param }) => {
      const answer = await ingest(
        c.env,
        (work) => c.executionCtx.waitUntil(work),
        {
          principal,
          namespace,
          discriminator: param("discriminator"),
          request: c.req.raw,
          ...(c.get("rawBody") ? { rawBody: c.get("rawBody") as Uint8Array } : {}),
        },
        query.wait,
      );
      return c.json(answer.body, answer.status, answer.headers);
    },
  ),
);

/** Ingestion, the event log, replay and dead letters. */
export const eventRoutes = [
  ...ingestRoutes,
  route(
    {
      method: "GET",
      path: "/api/v1/namespaces/:namespace/events",
      access: can.inNamespace("events:read"),
      summary: "List a namespace's event log, newest first",
      tag: "events",
      query: eventQuerySchema,
      responses: { 200: eventPageSchema },
    },
    async (c, { namespace }) => c.json(await listEventPage(c.env, namespace, c.req.query())),
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/namespaces/:namespace/events/:id",
      access: can.inNamespace("events:read"),
      summary: "One event: payload, metadata, and what each binding did",
      tag: "events",
      responses: { 200: eventDetailSchema },
    },
    async (c, { namespace, param }) => c.json(await eventDetail(c.env, namespace, param("id"))),
  ),
  route(
    {
      method: "POST",
      path: "/api/v1/namespaces/:namespace/events/replay",
      access: can.inNamespace("events:write"),
      summary:
        "Replay every logged event a filter selects (outcome, discriminator, binding, since, until; at most 7 days): paced, each event at most once a day; dryRun only counts",
      tag: "events",
      body: bulkReplaySchema,
      responses: { 200: bulkReplayAnswerSchema },
    },
    async (c, { principal, namespace }) =>
      c.json(await replayMatching(c.env, namespace, await readDocument(c.req.raw), principal)),
  ),
  route(
    {
      method: "POST",
      path: "/api/v1/namespaces/:namespace/events/:id/replay",
      access: can.inNamespace("events:write"),
      summary: "Send a logged event again, as a new event",
      tag: "events",
      responses: { 202: z.object({ id: z.string() }) },
    },
    async (c, { principal, namespace, param }) => {
      const id = await replayEvent(c.env, namespace, param("id"), principal);
      return c.json({ id }, 202, { "x-hookline-event-id": id });
    },
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/namespaces/:namespace/deadletters",
      access: can.inNamespace("events:read"),
      summary: "A namespace's dead letters (messages kept because they could not be processed)",
      tag: "events",
      query: deadLetterQuerySchema,
      responses: { 200: deadLetterPageSchema },
    },
    async (c, { namespace, query }) => c.json(await listTombstones(c.env.EVENT_BODIES, { namespace, ...query })),
  ),
  route(
    {
      method: "GET",
      path: "/api/v1/deadletters",
      access: can.everywhere("events:read"),
      summary: "Every namespace's dead letters",
      tag: "events",
      query: deadLetterQuerySchema,
      responses: { 200: deadLetterPageSchema },
    },
    async (c, { query }) => c.json(await listTombstones(c.env.EVENT_BODIES, query)),
  ),
];
