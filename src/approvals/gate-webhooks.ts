import { resolveHeaders } from "../auth/sealed-headers";
import { callOutbound, describeRedirect, isRedirect } from "../lib/outbound";
import { renderTemplate } from "../lib/templates";
import { traceparentFor } from "../lib/trace";
import type { GateState, WebhookState } from "./gate-state";
import { headerSecretContext, type StoredWebhook } from "./policy";

/**
 * Calls one approval webhook of a gate: the policy's headers (plain, sealed, or a Worker secret
 * an admin named), the webhook's own callback URI in the body and in `X-Hookline-Callback-Uri`,
 * and no redirects followed (the headers may carry credentials). Returns null when the receiver
 * took it (2xx), else why not — permanent when retrying cannot help.
 */
export async function deliverWebhook(
  env: Env,
  state: GateState,
  hook: WebhookState,
): Promise<{ message: string; permanent: boolean } | null> {
  const spec = state.policy.webhooks.find((candidate) => candidate.name === hook.name);
  if (!spec) return { message: `the policy has no webhook "${hook.name}"`, permanent: true };
  let headers: Headers;
  let body: string;
  try {
    headers = await webhookHeaders(env, state, spec, hook.callbackUri);
    body = renderTemplate(`@approvals/${spec.body}`, {
      id: state.id,
      namespace: state.namespace,
      policy: state.policy.name,
      webhook: spec.name,
      subject: state.subject,
      context: state.context,
      expiresAt: new Date(state.expiresAt).toISOString(),
      callbackUri: hook.callbackUri,
    });
  } catch (error) {
    return { message: error instanceof Error ? error.message : String(error), permanent: true };
  }
  const called = await callOutbound(spec.uri, { method: spec.method, headers, body }, spec.timeoutSeconds * 1000);
  if (!called.ok) {
    return {
      message: called.timedOut
        ? `${spec.uri} did not answer within ${spec.timeoutSeconds} s`
        : `cannot reach ${spec.uri}: ${called.message}`,
      permanent: false,
    };
  }
  const { response } = called;
  if (response.status >= 200 && response.status < 300) return null;
  if (isRedirect(response.status)) {
    return {
      message: `${spec.uri} answered ${describeRedirect(response)}; redirects are not followed`,
      permanent: true,
    };
  }
  return {
    message: `${spec.uri} answered ${response.status}${response.text ? `: ${response.text.slice(0, 200)}` : ""}`,
    permanent: false,
  };
}

async function webhookHeaders(env: Env, state: GateState, spec: StoredWebhook, callbackUri: string): Promise<Headers> {
  const headers = new Headers({
    "content-type": "application/json",
    "user-agent": "hookline-approvals",
    "x-hookline-approval-id": state.id,
    "x-hookline-callback-uri": callbackUri,
  });
  if (state.traceId) headers.set("traceparent", traceparentFor(state.traceId));
  const resolved = await resolveHeaders(env, spec.headers, (header) =>
    headerSecretContext(state.namespace, state.policy.name, spec.name, header),
  );
  for (const [name, value] of resolved) headers.set(name, value);
  return headers;
}
