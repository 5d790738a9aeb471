import type { Context } from "hono";
import { stringify } from "yaml";
import { decideApproval, gateOf } from "../approvals/decide";
import type { GateView } from "../approvals/gate-view";
import { type ApprovalLink, linkDecider, openApprovalLink } from "../approvals/links";
import type { AppEnv } from "../auth/context";
import { keyringOf } from "../auth/secrets";
import { can, route } from "../http/route";
import { decodeUtf8, readBodyLimited } from "../lib/body";
import { AppError } from "../lib/errors";
import { Badge, Layout, PAGE_SECURITY_HEADERS } from "./layout";

/**
 * The pages behind one-time chat links (`/approve/{token}`, approvals/links.ts). A GET shows what
 * is being decided and a confirm button — it never decides, so chat link previews and mail
 * scanners cannot. The button POSTs back to the same URL (no JavaScript); the link itself is the
 * credential, no cookie is involved, so another site has nothing to borrow (a cross-site post
 * is refused all the same). After a decision, a second use, the gate's decision or its expiry:
 * 410.
 */

const MAX_FORM_BYTES = 16 * 1024;

type LinkContext = Context<AppEnv>;

async function page(
  c: LinkContext,
  status: 200 | 400 | 403 | 404 | 409 | 410,
  title: string,
  body: unknown,
): Promise<Response> {
  // Referrer-Policy same-origin among them: the token in the URL never goes to another site.
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) c.header(name, value);
  c.header("cache-control", "no-store");
  c.header("x-robots-tag", "noindex");
  return await c.html(<Layout title={title}>{body as never}</Layout>, status);
}

function notice(
  c: LinkContext,
  status: 400 | 403 | 404 | 409 | 410,
  title: string,
  message: string,
): Promise<Response> {
  return page(
    c,
    status,
    title,
    <>
      <h1>{title}</h1>
      <p class="notice error">{message}</p>
    </>,
  );
}

const usedOrClosed = (gate: GateView) =>
  gate.manual.decision
    ? `This link was used: the approval was ${gate.manual.decision.approve ? "approved" : "rejected"} by ${gate.manual.decision.by} at ${gate.manual.decision.at}.`
    : `This approval is closed: ${gate.status.replace("_", " ")}${gate.decision ? ` (${gate.decision.reason})` : ""}.`;

/** The link of the URL and the gate it names, or the page that says why there is none. */
async function linkAndGate(
  c: LinkContext,
): Promise<{ link: ApprovalLink; gate: GateView } | { refused: Promise<Response> }> {
  const link = await openApprovalLink(keyringOf(c.env), c.req.param("token") ?? "");
  const gate = link ? await gateOf(c.env, link.gateId).read() : null;
  if (!link || !gate)
    return {
      refused: notice(c, 404, "Link not valid", "This approval link is not valid. Use the link from the message."),
    };
  if (gate.status !== "pending" || gate.manual.decision)
    return { refused: notice(c, 410, "Link used", usedOrClosed(gate)) };
  if (Date.parse(gate.expiresAt) <= Date.now())
    return { refused: notice(c, 410, "Link expired", "This approval has expired.") };
  if (!gate.manual.chatLinks)
    return { refused: notice(c, 403, "Links not allowed", "This approval's policy does not allow chat links.") };
  return { link, gate };
}

function GateSummary(props: { gate: GateView }) {
  const { gate } = props;
  return (
    <dl>
      <dt>Namespace</dt>
      <dd>{gate.namespace}</dd>
      <dt>Policy</dt>
      <dd>{gate.policy}</dd>
      {gate.subject && (
        <>
          <dt>Workflow</dt>
          <dd>
            {gate.subject.workflow} (node {gate.subject.node} on {gate.subject.cluster})
          </dd>
        </>
      )}
      <dt>Expires</dt>
      <dd>{gate.expiresAt}</dd>
      {Object.keys(gate.context).length > 0 && (
        <>
          <dt>Context</dt>
          <dd>
            <pre>{stringify(gate.context)}</pre>
          </dd>
        </>
      )}
    </dl>
  );
}

async function confirmPage(c: LinkContext): Promise<Response> {
  const found = await linkAndGate(c);
  if ("refused" in found) return found.refused;
  const { link, gate } = found;
  const verb = link.action === "approve" ? "Approve" : "Reject";
  return page(
    c,
    200,
    `${verb} ${gate.policy}`,
    <>
      <h1>
        {verb} this approval? <Badge value={gate.status} />
      </h1>
      <GateSummary gate={gate} />
      <form method="post">
        <label>
          Message (optional)
          <textarea name="message" aria-label="decision message" maxlength={10000} />
        </label>
        <button type="submit" name="action" value={link.action} class={link.action === "approve" ? "" : "danger"}>
          {verb}
        </button>
      </form>
      <p class="muted">This link works once; your decision is recorded as link:{link.service}.</p>
    </>,
  );
}

async function decide(c: LinkContext): Promise<Response> {
  const origin = c.req.header("origin");
  if (origin && origin !== "null" && origin !== new URL(c.req.url).origin)
    return notice(c, 403, "Not allowed", "Cross-site form posts are refused.");
  const found = await linkAndGate(c);
  if ("refused" in found) return found.refused;
  const { link, gate } = found;
  const form = new URLSearchParams(decodeUtf8(await readBodyLimited(c.req.raw, MAX_FORM_BYTES)));
  try {
    const decided = await decideApproval(c.env, linkDecider(link), gate.namespace, gate.id, {
      approve: link.action === "approve",
      message: form.get("message") ?? "",
    });
    return page(
      c,
      200,
      "Decision recorded",
      <>
        <h1>
          {link.action === "approve" ? "Approved" : "Rejected"} <Badge value={decided.status} />
        </h1>
        <p>Recorded as link:{link.service}. This link no longer works.</p>
        <GateSummary gate={decided} />
      </>,
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const status = error.status === 410 ? 410 : error.status === 403 ? 403 : error.status === 409 ? 409 : 400;
    return notice(c, status, status === 410 ? "Link used" : "Not recorded", error.message);
  }
}

/** `GET /approve/{token}` (confirm page) and `POST /approve/{token}` (the decision). */
export const approvalLinkRoutes = [
  route(
    {
      method: "GET",
      path: "/approve/:token",
      access: can.anyone,
      summary: "A one-time approval link's confirm page (a GET never decides)",
      tag: "approvals",
      responses: { 200: "html" },
    },
    confirmPage,
  ),
  route(
    {
      method: "POST",
      path: "/approve/:token",
      access: can.anyone,
      summary: "A one-time approval link's decision (once; 410 after)",
      tag: "approvals",
      responses: { 200: "html" },
    },
    decide,
  ),
];
