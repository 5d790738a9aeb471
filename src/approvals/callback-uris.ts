import { constantTimeEqual, fromBase64Url, randomBytes, toBase64Url } from "../lib/crypto";

/**
 * Capability callback URIs: each webhook of a gate gets its own
 * `/callbacks/approvals/{gate}/{webhook}/{capability}`, the capability 192 random bits kept in
 * the gate's own state. Knowing a gate's id (which every receiver and chat message sees) is not
 * enough to answer it, one approver's URI cannot be edited into another's, and rotating
 * HOOKLINE_SECRET_KEY does not break the URIs of gates already waiting. The OAuth bearer token
 * is still required on top.
 */

const CAPABILITY_BYTES = 24;
const capabilityPattern = /^[A-Za-z0-9_-]{32}$/;

/** A fresh capability for one webhook of a gate (or, with fewer bytes, a gate's id for a chat message or link). */
export function newCapability(bytes = CAPABILITY_BYTES): string {
  return toBase64Url(randomBytes(bytes));
}

/** The callback URI of one webhook of a gate. */
export function callbackUri(base: string, gateId: string, webhook: string, capability: string): string {
  return `${base}/callbacks/approvals/${gateId}/${encodeURIComponent(webhook)}/${capability}`;
}

/** The capability of a callback URI's path segment, or null when it cannot be one. */
export function presentedCapability(segment: string): Uint8Array | null {
  return capabilityPattern.test(segment) ? fromBase64Url(segment) : null;
}

/** True when `presented` is the webhook's capability (constant time). */
export function capabilityMatches(expected: string, presented: Uint8Array | null): boolean {
  const stored = capabilityPattern.test(expected) ? fromBase64Url(expected) : null;
  if (!stored || !presented) return false;
  return constantTimeEqual(stored, presented);
}
