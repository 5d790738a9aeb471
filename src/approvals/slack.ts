import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../auth/context";
import { resolveSecret } from "../auth/secrets";
import { verifySlackSignature } from "../auth/signatures";
import { can, route } from "../http/route";
import { decodeUtf8, readBodyLimited } from "../lib/body";
import { AppError } from "../lib/errors";
import { log } from "../lib/log";
import { callOutbound } from "../lib/outbound";
import { loadNotificationConfig } from "../notifications/config";
import type { StoredService } from "../notifications/schema";
import { resolveService, serviceSecretContext } from "../notifications/services/resolve";
import {
  SLACK_API_URL,
  SLACK_APPROVAL_BLOCK,
  SLACK_APPROVE_ACTION,
  SLACK_REJECT_ACTION,
  slackUserEmail,
} from "../notifications/services/slack";
import type { ResolvedService } from "../notifications/services/types";
import { type Decider, slackGroupsOf } from "./approvers";
import { decideFromChat, decisionLine } from "./chat-decide";
import type { GateView } from "./gate-view";

/**
 * Approving from Slack. An approval request sent to a Slack app (a `slack` service with a
 * `signingSecret`) carries Approve / Reject buttons (notifications/services/slack.ts). Slack posts a click
 * to `POST /callbacks/slack/interactions`: the request is verified with the app's signing secret
 * (v0 signature over the raw body, five-minute tolerance) and acknowledged at once — Slack wants
 * an answer within 3 s — while the decision is taken in `waitUntil` through the one decide
 * function, as the clicker (`slack:U…`, and the policy's `slack:group:S…` groups they belong to).
 * The clicker then hears back through the click's `response_url`: the message is replaced by the
 * outcome (buttons gone), or — for someone who is not an approver — an ephemeral note, gate
 * untouched.
 */

/** Slack's interaction payloads are small; a message's blocks come back with each click. */
const MAX_INTERACTION_BYTES = 256 * 1024;
/** At most this many Slack user groups are looked up for one click. */
const MAX_GROUP_LOOKUPS = 10;
const SLACK_HOOKS_ORIGIN = "https://hooks.slack.com";
const RESPOND_TIMEOUT_MS = 5_000;

const clickSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,30}$/), name: z.string().max(200).optional() }),
  response_url: z.string().url().max(2048),
  actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(255).optional() })).min(1),
  message: z
    .object({ text: z.string().optional(), ts: z.string().max(64).optional(), blocks: z.array(z.unknown()).optional() })
    .optional(),
  container: z.object({ message_ts: z.string().max(64).optional() }).optional(),
});
type Click = z.infer<typeof clickSchema>;

const unauthenticated = () =>
  new AppError(
    "unauthenticated",
    "the request is not signed by a Slack app hookline knows (or is older than 5 minutes)",
  );

/**
 * The Slack services whose signing secret signed this request (each tried in constant time):
 * usually one; two when the same app is configured twice.
 */
async function signingServices(env: Env, headers: Headers, rawBody: string): Promise<StoredService[]> {
  if (!headers.has("x-slack-signature") || !headers.has("x-slack-request-timestamp")) return [];
  const config = await loadNotificationConfig(env.DB);
  const verified: StoredService[] = [];
  for (const service of config.services.values()) {
    if (service.type !== "slack" || !service.signingSecretSealed) continue;
    const secret = await resolveSecret(
      env,
      { sealed: service.signingSecretSealed },
      serviceSecretContext(service.name, "signing-secret"),
    );
    if (await verifySlackSignature(secret, headers, rawBody)) verified.push(service);
  }
  return verified;
}

interface HooklineClick {
  click: Click;
  approve: boolean;
  gateId: string;
  /** The gate's id for the message the button was in. */
  message: string;
}

/** The click of a form-encoded interaction body, or null when it is not one of hookline's buttons. */
function clickOf(rawBody: string): HooklineClick | null {
  let payload: unknown;
  try {
    payload = JSON.parse(new URLSearchParams(rawBody).get("payload") ?? "");
  } catch {
    throw new AppError("invalid_argument", "the form field payload must be Slack's interaction JSON");
  }
  const parsed = clickSchema.safeParse(payload);
  if (!parsed.success) return null;
  const action = parsed.data.actions[0];
  if (action?.action_id !== SLACK_APPROVE_ACTION && action?.action_id !== SLACK_REJECT_ACTION) return null;
  // The value is `<gate>.<message>` (slackButtonValue); an older button names the gate alone.
  const [gateId = "", message = ""] = (action.value ?? "").split(".", 2);
  return { click: parsed.data, approve: action.action_id === SLACK_APPROVE_ACTION, gateId, message };
}

async function interactions(c: Context<AppEnv>): Promise<Response> {
  const rawBody = decodeUtf8(await readBodyLimited(c.req.raw, MAX_INTERACTION_BYTES));
  const services = await signingServices(c.env, c.req.raw.headers, rawBody);
  if (services.length === 0) throw unauthenticated();
  const clicked = clickOf(rawBody);
  // Interactions that are not hookline's buttons (shortcuts, other apps' blocks) are acknowledged.
  if (clicked) c.executionCtx.waitUntil(answerClick(c.env, services, clicked));
  return c.body(null, 200);
}

/** Decides the gate as the clicker and tells them how it went; never throws (it runs after the answer). */
async function answerClick(env: Env, verified: readonly StoredService[], clicked: HooklineClick): Promise<void> {
  const { click, approve, gateId } = clicked;
  // Only a service an admin configured vouches for a clicker (src/approvals/channels.ts).
  const deciding = verified.filter((service) => service.adminConfigured === true);
  const stored = deciding[0] ?? verified[0];
  if (!stored) return;
  try {
    const service = await resolveService(env, stored);
    const slackOrigin = new URL(stored.apiUrl ?? SLACK_API_URL).origin;
    const respond = (body: Record<string, unknown>) => respondTo(service.name, slackOrigin, click.response_url, body);
    const user = `slack:${click.user.id}`;
    // Group membership is looked up for the gate's own policy, once the gate is known.
    // The clicker's groups (for the gate's own policy) and their email: one person across channels.
    const deciderFor = async (gate: GateView): Promise<Omit<Decider, "through">> => {
      const [groups, email] = await Promise.all([
        groupsOf(service, gate, click.user.id),
        slackUserEmail(service, click.user.id),
      ]);
      return {
        by: user,
        via: `slack:${service.name}`,
        identities: [user, ...groups, ...(email ? [`email:${email}`] : [])],
        ...(email ? { person: email } : {}),
      };
    };
    const who = click.user.name ?? click.user.id;
    const serviceMessageId = click.container?.message_ts ?? click.message?.ts;
    const outcome = await decideFromChat(
      env,
      {
        gateId,
        approve,
        origin: {
          services: deciding.map((candidate) => candidate.name),
          message: clicked.message,
          ...(serviceMessageId ? { serviceMessageId } : {}),
        },
      },
      deciderFor,
      `${approve ? "Approved" : "Rejected"} in Slack by ${who}`,
    );
    switch (outcome.kind) {
      case "missing":
        return respond(ephemeral("This approval does not exist."));
      case "decided":
        // Still pending (a quorum not yet reached, a change window): the buttons stay for the others.
        if (outcome.gate.status === "pending") return respond(ephemeral(decisionLine(outcome.gate, mention)));
        return respond(replaced(click, outcome.gate));
      case "refused":
        await respond(ephemeral(`Not recorded: ${outcome.message}`));
        if (outcome.gate && outcome.gate.status !== "pending") await respond(replaced(click, outcome.gate));
    }
  } catch (error) {
    log.error("answering a Slack click failed", { service: stored.name, gate: gateId.slice(0, 60) }, error);
  }
}

/** The policy's Slack user groups the clicker belongs to (`slack:group:S…`), read with the app's bot token. */
async function groupsOf(service: ResolvedService, gate: GateView, user: string): Promise<string[]> {
  const groups = slackGroupsOf(gate.manual).slice(0, MAX_GROUP_LOOKUPS);
  if (groups.length === 0 || gate.manual.approvers.includes(`slack:${user}`)) return [];
  const bot = service.slackBot;
  if (!bot) {
    log.warn("a policy names Slack user groups but the Slack service has no bot token to read them", {
      service: service.name,
      gate: gate.id,
    });
    return [];
  }
  const member = await Promise.all(
    groups.map(async (group) => {
      const called = await callOutbound(
        `${bot.apiUrl}/usergroups.users.list?usergroup=${encodeURIComponent(group)}`,
        { method: "GET", headers: { authorization: `Bearer ${bot.token}` } },
        RESPOND_TIMEOUT_MS,
      );
      if (!called.ok || called.response.status !== 200) return false;
      try {
        const answer = JSON.parse(called.response.text) as { ok?: unknown; users?: unknown };
        return answer.ok === true && Array.isArray(answer.users) && answer.users.includes(user);
      } catch {
        return false;
      }
    }),
  );
  return groups.filter((_, index) => member[index]).map((group) => `slack:group:${group}`);
}

/** A note only the clicker sees; the message stays as it is. */
function ephemeral(text: string): Record<string, unknown> {
  return { response_type: "ephemeral", replace_original: false, text };
}

/** The clicked message with its buttons replaced by where the gate stands now. */
/** A decider as Slack shows them: a mention for a Slack user. */
const mention = (by: string) => (/^slack:[UW][A-Z0-9]+$/.test(by) ? `<@${by.slice("slack:".length)}>` : by);

function replaced(click: Click, gate: GateView): Record<string, unknown> {
  const blocks = (click.message?.blocks ?? []).filter(
    (block) => (block as { block_id?: unknown } | null)?.block_id !== SLACK_APPROVAL_BLOCK,
  );
  const icon = gate.status === "approved" ? ":white_check_mark: " : gate.status === "rejected" ? ":x: " : "";
  const status = `${icon}${decisionLine(gate, mention)}`;
  return {
    replace_original: true,
    text: `${click.message?.text ?? "Approval"} — ${status}`,
    blocks: [...blocks, { type: "context", elements: [{ type: "mrkdwn", text: status }] }],
  };
}

/**
 * Posts to a click's `response_url`. Only Slack's own origin (or the service's `apiUrl` origin,
 * for Slack-compatible servers) is called: a signed payload must not steer hookline elsewhere.
 */
async function respondTo(
  service: string,
  slackOrigin: string,
  responseUrl: string,
  body: Record<string, unknown>,
): Promise<void> {
  if (![SLACK_HOOKS_ORIGIN, slackOrigin].includes(new URL(responseUrl).origin)) {
    log.warn("a Slack response_url points outside Slack; not answered", { service });
    return;
  }
  const called = await callOutbound(
    responseUrl,
    { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) },
    RESPOND_TIMEOUT_MS,
  );
  if (!called.ok || called.response.status >= 300) {
    log.warn("Slack did not take the answer to a click", {
      service,
      status: called.ok ? called.response.status : 0,
    });
  }
}

/** `POST /callbacks/slack/interactions`: Slack's interactivity request URL. */
export const slackRoutes = [
  route(
    {
      method: "POST",
      path: "/callbacks/slack/interactions",
      access: can.anyone,
      summary: "Slack's interactivity requests: clicks on an approval request's buttons (v0-signed)",
      tag: "approvals",
      signatures: ["slackSignature"],
      responses: { 200: "empty" },
    },
    interactions,
  ),
];
