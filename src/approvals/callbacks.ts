import { z } from "zod";
import { keyringOf } from "../auth/secrets";
import { AppError } from "../lib/errors";
import { isDns1123Label } from "../lib/names";
import { parseWith } from "../lib/validation";
import { FORGED_URI } from "./approval-gate";
import { presentedCapability } from "./callback-uris";
import { gateOf, isGateId, MAX_MESSAGE_LENGTH, unwrapGate } from "./decide";
import type { GateView } from "./gate-view";
import { CALLBACK_SCOPE, clientExists, verifyAccessToken } from "./oauth";

export const callbackSchema = z.strictObject({
  success: z.boolean(),
  mdMessage: z.string().max(MAX_MESSAGE_LENGTH).default(""),
});

const invalidToken = (message: string) =>
  new AppError("unauthenticated", message, {
    headers: { "www-authenticate": 'Bearer realm="hookline", error="invalid_token"' },
  });

const forgedUri = () => new AppError("permission_denied", FORGED_URI);

/**
 * An approver's answer on a webhook's callback URI (`/callbacks/approvals/{id}/{webhook}/{capability}`):
 * needs both the webhook's own capability and an OAuth access token with the callback scope, for
 * the gate's namespace.
 */
export async function answerCallback(
  env: Env,
  authorization: string | undefined,
  uri: { id: string; webhook: string; capability: string },
  /** Read only once the caller is known to hold a token and the URI's shape is right. */
  body: () => Promise<unknown>,
): Promise<GateView> {
  const header = authorization ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  if (!token) throw invalidToken("send Authorization: Bearer <access token from POST /oauth/token>");
  const keyring = keyringOf(env);
  const claims = await verifyAccessToken(keyring, token);
  if (!claims) throw invalidToken("the access token is invalid or expired");
  if (!claims.scopes.includes(CALLBACK_SCOPE)) {
    throw new AppError("permission_denied", `the access token lacks the "${CALLBACK_SCOPE}" scope`, {
      headers: { "www-authenticate": `Bearer realm="hookline", error="insufficient_scope", scope="${CALLBACK_SCOPE}"` },
    });
  }
  if (!(await clientExists(env.DB, claims.clientId))) throw invalidToken("the OAuth client of this token was deleted");
  const { id, webhook, capability } = uri;
  if (!isGateId(id) || !isDns1123Label(webhook) || presentedCapability(capability) === null) throw forgedUri();
  const input = parseWith(callbackSchema, await body());
  return unwrapGate(
    await gateOf(env, id).callback(
      webhook,
      capability,
      input.success,
      input.mdMessage,
      `oauth:${claims.clientId}`,
      claims.namespaces,
    ),
  );
}

/** A callback URI without its capability (built from the gate id and a name alone): refused. */
export function refuseUncapable(): never {
  throw forgedUri();
}
