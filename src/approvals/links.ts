import type { Keyring } from "../auth/keys";
import { mac, verifyMac } from "../auth/keys";
import { fromBase64Url, toBase64Url, utf8 } from "../lib/crypto";
import type { Decider } from "./approvers";

/**
 * One-time Approve / Reject links for chat services without signed interactivity (DingTalk,
 * WeCom, Teams, Google Chat, Discord, Lark robots). A link is `/approve/{token}`: the token names
 * the gate, the action, the gate's message that carried it, the link's own id and the service,
 * signed with a key derived from HOOKLINE_SECRET_KEY. Only the gate mints links, for the requests
 * it sends to its policy's channels, and it records each link's id: a link counts only when the
 * gate recorded sending it. Opening a link shows a confirm page (a GET never decides, so link
 * previews and mail scanners decide nothing); the POST decides as `link:<service>`, once:
 * afterwards, and after the gate is decided or expired, the link answers 410.
 */
export type LinkAction = "approve" | "reject";

export interface ApprovalLink {
  gateId: string;
  action: LinkAction;
  service: string;
  /** The gate's id for the message that carried the link. */
  message: string;
  /** The link's own id, recorded by the gate. */
  link: string;
}

const ACTION_CODES: ReadonlyMap<string, LinkAction> = new Map([
  ["a", "approve"],
  ["r", "reject"],
]);
const MAX_TOKEN_LENGTH = 512;

const signedText = (payload: string) => `approval-link:${payload}`;

/** The URL of a one-time link for `action` on a gate, as the message of `service` carries it. */
export async function approvalLinkUrl(keyring: Keyring, base: string, link: ApprovalLink): Promise<string> {
  const payload = `${link.gateId}.${link.action === "approve" ? "a" : "r"}.${link.message}.${link.link}.${link.service}`;
  const signature = await mac(keyring, "approval-links", signedText(payload));
  return `${base.replace(/\/+$/, "")}/approve/${toBase64Url(utf8(payload))}.${toBase64Url(signature)}`;
}

/** The link a token names, or null when it is malformed or was not signed by hookline. */
export async function openApprovalLink(keyring: Keyring, token: string): Promise<ApprovalLink | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const [encoded, signed, ...rest] = token.split(".");
  if (!encoded || !signed || rest.length > 0) return null;
  const bytes = fromBase64Url(encoded);
  const signature = fromBase64Url(signed);
  if (!bytes || !signature) return null;
  const payload = new TextDecoder().decode(bytes);
  if (!(await verifyMac(keyring, "approval-links", signedText(payload), signature))) return null;
  const match = /^([0-9a-z]{46})\.([ar])\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})\.([a-z0-9.-]{1,253})$/.exec(payload);
  const action = match ? ACTION_CODES.get(match[2] ?? "") : undefined;
  if (!match || !action) return null;
  return { gateId: match[1] ?? "", action, message: match[3] ?? "", link: match[4] ?? "", service: match[5] ?? "" };
}

/** Who decides through a link: the service whose message carried it, only once, and only with a link the gate sent. */
export function linkDecider(link: ApprovalLink): Decider {
  const who = `link:${link.service}`;
  return {
    by: who,
    via: who,
    identities: [who],
    once: true,
    through: { services: [link.service], message: link.message, link: link.link },
  };
}
