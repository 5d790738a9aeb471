import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { resolveSecret } from "../auth/secrets";
import { decryptLark, verifyLarkSignature } from "../auth/signatures";
import { can, route } from "../http/route";
import { decodeUtf8, readBodyLimited } from "../lib/body";
import { constantTimeEqualStrings } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { loadNotificationConfig } from "../notifications/config";
import type { StoredService } from "../notifications/schema";
import {
  LARK_ACTION_FIELD,
  LARK_GATE_FIELD,
  LARK_MESSAGE_FIELD,
  larkCard,
  larkUserEmail,
} from "../notifications/services/lark";
import { resolveService, serviceSecretContext } from "../notifications/services/resolve";
import { decideFromChat, decisionLine } from "./chat-decide";
import type { GateView } from "./gate-view";

/**
 * Approving from Lark/Feishu. An approval request sent by a Lark app (a `lark` service with
 * `appId` and `verificationToken`) is a card with Approve / Reject buttons
 * (notifications/services/lark.ts). Lark posts a click (`card.action.trigger`, schema 2.0) to
 * `POST /callbacks/lark/card`. It is verified the way Lark signs it: with an Encrypt Key, the
 * `X-Lark-Signature` over timestamp, nonce, key and raw body (five-minute tolerance) and the body
 * decrypted; always, the verification token the payload carries. The clicker (`lark:<open_id>`)
 * decides through the one decide function when the policy names them; the answer — within Lark's
 * 3 s — is a toast and, after a decision, the card without its buttons.
 */

const MAX_CALLBACK_BYTES = 64 * 1024;

const verificationSchema = z.object({ type: z.literal("url_verification"), challenge: z.string().max(512) });
const clickSchema = z.object({
  header: z.object({ event_type: z.literal("card.action.trigger") }),
  event: z.object({
    operator: z.object({ open_id: z.string().regex(/^ou_[A-Za-z0-9]{1,64}$/) }),
    action: z.object({
      value: z.object({
        [LARK_GATE_FIELD]: z.string().max(255),
        [LARK_MESSAGE_FIELD]: z.string().max(255).default(""),
        [LARK_ACTION_FIELD]: z.enum(["approve", "reject"]),
      }),
    }),
    context: z.object({ open_message_id: z.string().max(128).optional() }).optional(),
  }),
});

const unauthenticated = () =>
  new AppError(
    "unauthenticated",
    "the callback is not from a Lark app hookline knows (verification token, signature or timestamp)",
  );

/** The payload's verification token: `header.token` (schema 2.0) or `token` (URL verification, older callbacks). */
function tokenOf(payload: unknown): string {
  const record = (payload ?? {}) as { token?: unknown; header?: { token?: unknown } };
  const token = record.header?.token ?? record.token;
  return typeof token === "string" ? token : "";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The Lark app whose keys open and verify this callback, and the payload they open. */
async function verifiedPayload(
  env: Env,
  headers: Headers,
  rawBody: string,
): Promise<{ service: StoredService; payload: unknown } | null> {
  const body = parseJson(rawBody) as { encrypt?: unknown } | null;
  if (body === null || typeof body !== "object")
    throw new AppError("invalid_argument", "the callback body is not JSON");
  const config = await loadNotificationConfig(env.DB);
  for (const service of config.services.values()) {
    if (service.type !== "lark" || !service.verificationTokenSealed) continue;
    const secret = (sealed: string, part: string) =>
      resolveSecret(env, { sealed }, serviceSecretContext(service.name, part));
    let payload: unknown = body;
    if (service.encryptKeySealed) {
      const encryptKey = await secret(service.encryptKeySealed, "encrypt-key");
      if (typeof body.encrypt !== "string") continue;
      // URL verification requests are encrypted but not signed; every other callback is signed.
      const opened = await decryptLark(encryptKey, body.encrypt);
      payload = opened === null ? null : parseJson(opened);
      if (payload === null) continue;
      const verifying = verificationSchema.safeParse(payload).success;
      if (!verifying && !(await verifyLarkSignature(encryptKey, headers, rawBody))) continue;
    } else if (typeof body.encrypt === "string") continue;
    const token = await secret(service.verificationTokenSealed, "verification-token");
    if (await constantTimeEqualStrings(tokenOf(payload), token)) return { service, payload };
  }
  return null;
}

async function callback(c: Context<AppEnv>): Promise<Response> {
  const rawBody = decodeUtf8(await readBodyLimited(c.req.raw, MAX_CALLBACK_BYTES));
  const verified = await verifiedPayload(c.env, c.req.raw.headers, rawBody);
  if (!verified) throw unauthenticated();
  const { service, payload } = verified;
  const verification = verificationSchema.safeParse(payload);
  if (verification.success) return c.json({ challenge: verification.data.challenge });
  const click = clickSchema.safeParse(payload);
  // Other callbacks (another card's buttons, other events) are acknowledged and left alone.
  if (!click.success) return c.json({});
  const openId = click.data.event.operator.open_id;
  const value = click.data.event.action.value;
  const approve = value[LARK_ACTION_FIELD] === "approve";
  const user = `lark:${openId}`;
  // Their email (Lark's contact API, with the app's token): one person across channels.
  const email = await larkUserEmail(await resolveService(c.env, service), openId);
  const decider = {
    by: user,
    via: `lark:${service.name}`,
    identities: [user, ...(email ? [`email:${email}`] : [])],
    ...(email ? { person: email } : {}),
  };
  const serviceMessageId = click.data.event.context?.open_message_id;
  const outcome = await decideFromChat(
    c.env,
    {
      gateId: value[LARK_GATE_FIELD] ?? "",
      approve,
      origin: {
        // Only a service an admin configured vouches for a clicker (src/approvals/channels.ts).
        services: service.adminConfigured === true ? [service.name] : [],
        message: value[LARK_MESSAGE_FIELD] ?? "",
        ...(serviceMessageId ? { serviceMessageId } : {}),
      },
    },
    async () => decider,
    `${approve ? "Approved" : "Rejected"} in Lark by ${openId}`,
  );
  switch (outcome.kind) {
    case "missing":
      return c.json(toast("error", "This approval does not exist."));
    case "decided":
      // Still pending (a quorum not yet reached, a change window): the card keeps its buttons.
      if (outcome.gate.status === "pending") return c.json(toast("success", decisionLine(outcome.gate, mention)));
      return c.json({ ...toast("success", decisionLine(outcome.gate, mention)), card: decidedCard(outcome.gate) });
    case "refused":
      return c.json({
        ...toast("error", `Not recorded: ${outcome.message}`),
        ...(outcome.gate && outcome.gate.status !== "pending" ? { card: decidedCard(outcome.gate) } : {}),
      });
  }
}

const mention = (by: string) => (by.startsWith("lark:") ? `<at id=${by.slice("lark:".length)}></at>` : by);

function toast(type: "success" | "warning" | "error", content: string) {
  return { toast: { type, content } };
}

/** The card after a decision: where the gate stands, no buttons. */
function decidedCard(gate: GateView) {
  const title = `Approval ${gate.status}: ${gate.policy} in ${gate.namespace}`;
  return {
    type: "raw",
    data: larkCard({ title, body: decisionLine(gate, mention), webhookBody: null }),
  };
}

/** `POST /callbacks/lark/card`: a Lark app's card callback URL. */
export const larkRoutes = [
  route(
    {
      method: "POST",
      path: "/callbacks/lark/card",
      access: can.anyone,
      summary: "A Lark/Feishu app's card callbacks: clicks on an approval card's buttons (verified)",
      tag: "approvals",
      responses: { 200: "json" },
    },
    callback,
  ),
];
