import { type Keyring, mac, verifyMac } from "../auth/keys";
import { fromBase64Url, toBase64Url } from "../lib/crypto";

/**
 * Capability callback URIs: each webhook of a gate gets its own
 * `/callbacks/approvals/{gate}/{webhook}/{capability}`, where the capability is an HMAC of the
 * gate id and webhook name under a key derived from HOOKLINE_SECRET_KEY. Knowing a gate's id
 * (which every receiver and chat message sees) is not enough to answer it, and one approver's
 * URI cannot be edited into another's. The OAuth bearer token is still required on top.
 */

const CAPABILITY_BYTES = 24;

function subject(gateId: string, webhook: string): string {
  return `${gateId}/${webhook}`;
}

/** The callback URI of one webhook of a gate. */
export async function callbackUri(keyring: Keyring, base: string, gateId: string, webhook: string): Promise<string> {
  const capability = (await mac(keyring, "approval-callbacks", subject(gateId, webhook))).subarray(0, CAPABILITY_BYTES);
  return `${base}/callbacks/approvals/${gateId}/${encodeURIComponent(webhook)}/${toBase64Url(capability)}`;
}

/** True when `capability` is the one issued for this gate's webhook (under the current or previous key). */
export async function verifyCapability(
  keyring: Keyring,
  gateId: string,
  webhook: string,
  capability: string,
): Promise<boolean> {
  const presented = /^[A-Za-z0-9_-]{32}$/.test(capability) ? fromBase64Url(capability) : null;
  if (!presented) return false;
  return verifyMac(keyring, "approval-callbacks", subject(gateId, webhook), presented, CAPABILITY_BYTES);
}
