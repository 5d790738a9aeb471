import { z } from "zod";
import { type Principal, principalKey } from "../auth/principal";

/**
 * Who may decide a gate. A policy's `manual.approvers` lists identities:
 *
 * - `slack:U123` — a Slack user (buttons in a Slack message), `slack:group:S456` — a member of a
 *   Slack user group (resolved through the service's bot token when the click comes);
 * - `lark:ou_…` — a Lark/Feishu user (open_id), clicking a card's buttons;
 * - `email:ana@example.com`, `email:*@example.com` — a person by email: signed in to the console
 *   through Cloudflare Access, or a Slack/Lark user whose profile has that email;
 * - `console:*` — anyone deciding through the API, the console or the CLI with the
 *   `approvals:decide` scope and a token; `console:<token name>` — that token only
 *   (`console:admin` is the admin token).
 *
 * Without a list, `console:*` is the only approver: what hookline did before chat approvals.
 * One-time chat links are not identities: a policy allows them with `chatLinks: true`, and the
 * decider is recorded as `link:<service>`.
 */
const identityPattern =
  /^(slack:[UW][A-Z0-9]{2,30}|slack:group:S[A-Z0-9]{2,30}|lark:o[un]_[A-Za-z0-9]{1,64}|email:[^\s@:*]{1,64}@[a-z0-9.-]{1,253}|email:\*@[a-z0-9.-]{1,253}|console:\*|console:[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)$/;

export const approverSchema = z
  .string()
  .transform((value) => (value.startsWith("email:") ? value.toLowerCase() : value))
  .refine(
    (value) => identityPattern.test(value),
    'must be "slack:U…", "slack:group:S…", "lark:ou_…", "email:<address>", "email:*@<domain>", "console:*" or "console:<token name>"',
  );

/** True when an approver entry names exactly one person (not a group, a domain or every token). */
export function namesOnePerson(approver: string): boolean {
  return !approver.startsWith("slack:group:") && !approver.startsWith("email:*@") && approver !== "console:*";
}

/** A chat channel that carries a policy's approval requests: a notification service and its recipients. */
export interface DecisionChannel {
  service: string;
  /** Channels, chats or people, as the service's destinations take them; none: the service's default. */
  recipients: readonly string[];
}

/** A policy's manual part, as stored (older policies have only `required`). */
export interface ManualPolicy {
  required: boolean;
  approvers?: readonly string[] | undefined;
  chatLinks?: boolean;
  confirm?: boolean;
  /** Where the gate itself sends its request with buttons or links (older policies have none). */
  channels?: readonly DecisionChannel[];
  /** How many distinct people must approve (default 1). */
  quorum?: number;
  /** The person who asked for the gate (`requestedBy` on create) may not approve it. */
  forbidRequester?: boolean;
}

/** Someone deciding: who (recorded), where (recorded), and the approver identities they hold. */
export interface Decider {
  /** Recorded as the decision's author: `token:ops`, `slack:U123`, `link:dingtalk-ops`… */
  by: string;
  /** Recorded as where the decision was taken: `api`, `console`, `slack:<service>`, `link:<service>`… */
  via: string;
  /** The identities matched against the policy's approvers (`slack:U123`, `slack:group:S456`, `email:…`). */
  identities: readonly string[];
  /**
   * The person behind them, counted once towards a quorum whatever the channel: their email when
   * one is known (Access, a Slack or Lark profile), else the identity that decided.
   */
  person?: string;
  /** A one-time capability (a chat link): refused once any person's decision is recorded. */
  once?: boolean;
  /**
   * A decision from chat: the message it came through, as the click or link names it. It counts
   * only when the gate recorded sending that message through that service (and, for a link,
   * that link): what a chat presents is checked against what the gate itself sent.
   */
  through?: ChatOrigin;
}

/** What a click or a link says about the message it came from. */
export interface ChatOrigin {
  /** The services whose secret verified the click, or the one whose message carried the link. */
  services: readonly string[];
  /** The gate's own id for the message (in button values and link tokens). */
  message: string;
  /** The service's id for the message, when the click carries one (Slack `ts`, Lark `open_message_id`). */
  serviceMessageId?: string;
  /** For a one-time link: the link's id. */
  link?: string;
}

const DEFAULT_APPROVERS = ["console:*"];

/** The approvers a policy names (the default when it names none). */
export function approversOf(manual: ManualPolicy): readonly string[] {
  return manual.approvers ?? DEFAULT_APPROVERS;
}

/**
 * True when the decider is one of the policy's approvers (a link decides only where links are
 * allowed). Chat identities (`slack:`, `lark:`, `link:`) count only for a decision that came
 * through chat, and console identities only for one that did not: a token cannot claim a Slack
 * user, and a click cannot claim a token.
 */
export function mayDecide(manual: ManualPolicy, decider: Decider): boolean {
  return matchesApprovers(approversOf(manual), decider, manual.chatLinks === true);
}

/** True when the decider is one of the policy's break-glass approvers (`override.approvers`). */
export function mayOverride(approvers: readonly string[], decider: Decider): boolean {
  return decider.through === undefined && matchesApprovers(approvers, decider, false);
}

function matchesApprovers(approvers: readonly string[], decider: Decider, linksAllowed: boolean): boolean {
  const fromChat = decider.through !== undefined;
  return decider.identities.some((identity) => {
    // An email is a person's, however they came (Access in the console, a chat profile).
    if (identity.startsWith("email:")) return approvers.some((approver) => emailMatches(approver, identity));
    const chatIdentity = !identity.startsWith("console:");
    if (chatIdentity !== fromChat) return false;
    if (identity.startsWith("link:")) return linksAllowed && decider.through?.link !== undefined;
    if (identity.startsWith("console:") && approvers.includes("console:*")) return true;
    return approvers.includes(identity);
  });
}

/** `email:a@x.com` matches `email:a@x.com` and `email:*@x.com` (case-insensitively). */
function emailMatches(approver: string, identity: string): boolean {
  const email = identity.toLowerCase();
  if (approver === email) return true;
  return approver.startsWith("email:*@") && email.endsWith(`@${approver.slice("email:*@".length)}`);
}

/** Who asked for a gate (`requestedBy` on create): their identities in the channels they may approve through. */
export interface Requester {
  email?: string | undefined;
  slack?: string | undefined;
  github?: string | undefined;
}

/** True when the decider is the gate's requester, by any identity they share. */
export function isRequester(requester: Requester | undefined, decider: Decider): boolean {
  if (!requester) return false;
  const identities = new Set(decider.identities.map((identity) => identity.toLowerCase()));
  if (decider.person) identities.add(`email:${decider.person.toLowerCase()}`);
  return (
    (requester.email !== undefined && identities.has(`email:${requester.email.toLowerCase()}`)) ||
    (requester.slack !== undefined && identities.has(`slack:${requester.slack.toLowerCase()}`)) ||
    (requester.github !== undefined && identities.has(`github:${requester.github.toLowerCase()}`))
  );
}

/** The channels a policy sends its requests to (none for older policies). */
export function channelsOf(manual: ManualPolicy): readonly DecisionChannel[] {
  return manual.channels ?? [];
}

/** The Slack user groups a policy names (`slack:group:S…` → `S…`), to resolve a clicker's membership. */
export function slackGroupsOf(manual: ManualPolicy): string[] {
  return approversOf(manual)
    .filter((approver) => approver.startsWith("slack:group:"))
    .map((approver) => approver.slice("slack:group:".length));
}

/** A person deciding through the API, the console or the CLI (a token, or a Cloudflare Access identity). */
export function principalDecider(principal: Principal, via: "api" | "console"): Decider {
  if (principal.kind === "access") {
    const email = `email:${principal.name.toLowerCase()}`;
    return { by: email, via, identities: [email], person: principal.name.toLowerCase() };
  }
  const identity =
    principal.kind === "admin" ? "console:admin" : principal.kind === "token" ? `console:${principal.name}` : null;
  return { by: principalKey(principal), via, identities: identity ? [identity] : [] };
}
