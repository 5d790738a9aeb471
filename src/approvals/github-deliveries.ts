import { encodeTime } from "ulid";
import { z } from "zod";
import { type Keyring, macs } from "../auth/keys";
import { keyringOf, resolveSecret } from "../auth/secrets";
import { verifySignature } from "../auth/signatures";
import { decodeUtf8 } from "../lib/body";
import { toHex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { DEFAULT_JSON_SHAPE, jsonShapeProblem } from "../lib/json-scan";
import { log } from "../lib/log";
import { parseWith } from "../lib/validation";
import { gateOf } from "./decide";
import { APPROVAL_STATUSES } from "./gate-state";
import { type GateView, gateViewSchema } from "./gate-view";
import { callbackRefusal, reviewEndpointOf } from "./github-callback";
import { openApprovalGate } from "./open";
import { githubSecretContext, type StoredPolicy } from "./policy";
import { listGitHubPolicies } from "./store";

/**
 * GitHub's deployment protection rules, received: a GitHub App's `deployment_protection_rule`
 * delivery (`POST /callbacks/github/deployment-protection`) opens a gate for a deployment of a
 * GitHub Actions workflow run. A delivery counts only when `X-Hub-Signature-256` verifies with the
 * webhook secret of a policy's App — every policy with a `github` block is tried, in constant
 * time, before anything else is read — and then only under that policy, for an environment it
 * names. The gate's id is derived from the delivery (`X-GitHub-Delivery`), so a redelivery finds
 * the gate it opened: nothing new is opened, and nothing new is answered.
 */

/** GitHub caps deliveries at 25 MB; a deployment's (its pull requests included) is far smaller. */
export const MAX_DELIVERY_BYTES = 5 * 1024 * 1024;
const EVENT = "deployment_protection_rule";

const unauthenticated = () =>
  new AppError(
    "unauthenticated",
    "the delivery is not signed (X-Hub-Signature-256) with the webhook secret of a GitHub App an approval policy names",
  );

/** What hookline reads of a `deployment_protection_rule` delivery (GitHub sends much more). */
const deliverySchema = z.object({
  action: z.literal("requested"),
  environment: z.string().trim().min(1).max(255),
  deployment_callback_url: z.string().min(1).max(2048),
  deployment: z.object({
    ref: z.string().max(1024),
    sha: z.string().max(64),
    created_at: z.string().max(64),
    creator: z.object({ login: z.string().max(100), email: z.string().max(254).nullish() }).nullable(),
  }),
  repository: z.object({
    id: z.number().int().positive(),
    full_name: z.string().regex(/^[A-Za-z0-9._-]{1,100}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name"),
    html_url: z.url({ protocol: /^https?$/ }).max(2048),
  }),
  installation: z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
  sender: z.object({ login: z.string().max(100) }),
});
type Delivery = z.infer<typeof deliverySchema>;

/** A gate a delivery opened (or, redelivered, had opened): what GitHub's webhook log shows. */
export const deliveryGateSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  policy: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  github: gateViewSchema.shape.github,
  duplicate: z.literal(true).optional(),
  message: z.string().optional(),
});

/** A delivery hookline heard but opens no gate for (another event, a ping): why. */
export const deliveryIgnoredSchema = z.object({ gate: z.null(), message: z.string() });

/** How hookline answered a delivery. */
export type DeliveryAnswer =
  | { status: 201; body: z.output<typeof deliveryGateSchema>; duplicate: false }
  | { status: 200; body: z.output<typeof deliveryGateSchema>; duplicate: true }
  | { status: 200; body: z.output<typeof deliveryIgnoredSchema>; duplicate: false };

/**
 * Receives one delivery (its raw body): verifies it against every policy's App, then opens the
 * gate of the one policy that names its environment — or answers why not. Throws 401 for a
 * delivery no App signed, 400 for one that is not a deployment protection rule GitHub would send,
 * 404 for an environment no verifying policy names, 409 when two policies of the App name it.
 */
export async function receiveDeploymentProtectionRule(
  env: Env,
  headers: Headers,
  body: Uint8Array,
): Promise<DeliveryAnswer> {
  const verified = await policiesVerifying(env, headers, body);
  if (verified.length === 0) throw unauthenticated();
  const event = headers.get("x-github-event") ?? "";
  if (event !== EVENT) {
    return ignored(`GitHub event "${event.slice(0, 100)}" opens no gate (only ${EVENT} does); acknowledged`);
  }
  const delivery = headers.get("x-github-delivery") ?? "";
  if (!/^[A-Za-z0-9-]{1,100}$/.test(delivery)) {
    throw new AppError("invalid_argument", "X-GitHub-Delivery must carry GitHub's id for the delivery");
  }
  const payload = payloadOf(body, headers.get("content-type") ?? "");
  const action = (payload as { action?: unknown } | null)?.action;
  if (action !== "requested") {
    return ignored(`a ${EVENT} delivery with action "${String(action).slice(0, 100)}" opens no gate; acknowledged`);
  }
  const parsed = parseWith(deliverySchema, payload);
  const policy = policyFor(verified, parsed.environment, headers);
  return openForDelivery(env, policy, delivery, parsed);
}

/**
 * The policies whose App's webhook secret verifies the delivery. Every policy with a `github`
 * block is tried (the secret opened, the signature compared in constant time) — none is skipped
 * on an early match.
 */
async function policiesVerifying(env: Env, headers: Headers, body: Uint8Array): Promise<StoredPolicy[]> {
  if (!headers.has("x-hub-signature-256")) return [];
  const verified: StoredPolicy[] = [];
  for (const policy of await listGitHubPolicies(env.DB)) {
    const github = policy.github;
    if (!github) continue;
    let secret: string;
    try {
      secret = await resolveSecret(
        env,
        { sealed: github.webhookSecretSealed },
        githubSecretContext(policy.namespace, policy.name, "webhook-secret"),
      );
    } catch (error) {
      log.warn("a policy's GitHub webhook secret cannot be opened; its App's deliveries are refused", {
        namespace: policy.namespace,
        policy: policy.name,
        error: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    if (await verifySignature({ type: "github", secret, requireTimestamp: false }, headers, body))
      verified.push(policy);
  }
  return verified;
}

function ignored(message: string): DeliveryAnswer {
  return { status: 200, body: { gate: null, message }, duplicate: false };
}

/** The delivery's JSON: the body, or its `payload` field when the App posts forms. */
function payloadOf(body: Uint8Array, contentType: string): unknown {
  let text = decodeUtf8(body);
  if (contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    text = new URLSearchParams(text).get("payload") ?? "";
  }
  const problem = jsonShapeProblem(text, DEFAULT_JSON_SHAPE);
  if (problem !== null) throw new AppError("invalid_argument", `the delivery's JSON is too complex: ${problem}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("invalid_argument", "the delivery is not JSON");
  }
}

/**
 * The one verifying policy that gates the delivery's environment (GitHub compares environment
 * names case-insensitively). A delivery naming its App (`X-GitHub-Hook-Installation-Target-ID`)
 * reaches only policies of that App.
 */
function policyFor(verified: readonly StoredPolicy[], environment: string, headers: Headers): StoredPolicy {
  const target =
    headers.get("x-github-hook-installation-target-type") === "integration"
      ? headers.get("x-github-hook-installation-target-id")
      : null;
  const wanted = environment.toLowerCase();
  const gating = verified.filter(
    (policy) =>
      (target === null || target === String(policy.github?.appId)) &&
      (policy.github?.environments ?? []).some((name) => name.toLowerCase() === wanted),
  );
  const [only, ...others] = gating;
  if (!only) {
    throw new AppError(
      "not_found",
      `no approval policy of this GitHub App names environment "${environment.slice(0, 255)}" in github.environments; no gate was opened`,
    );
  }
  if (others.length > 0) {
    throw new AppError(
      "aborted",
      `${gating.length} approval policies of this GitHub App name environment "${environment.slice(0, 255)}"; name it in one policy only. No gate was opened`,
    );
  }
  return only;
}

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/** 80 bits as 16 lowercase Crockford base32 characters (a ULID's random part). */
function crockford80(bytes: Uint8Array): string {
  let bits = 0n;
  for (const byte of bytes.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let out = "";
  for (let shift = 75; shift >= 0; shift -= 5) out += CROCKFORD[Number((bits >> BigInt(shift)) & 31n)];
  return out;
}

/**
 * The gate ids a delivery may have: a ULID whose time is the deployment's creation (stable across
 * redeliveries) and whose random part — and 80 more bits — are a MAC of the namespace, the App and
 * the delivery id under the Worker's key (current first; during a key rotation the previous key's
 * id finds a gate opened before it).
 */
async function deliveryGateIds(
  keyring: Keyring,
  namespace: string,
  appId: number,
  delivery: string,
  createdAt: string,
): Promise<string[]> {
  const parsed = Date.parse(createdAt);
  const time = encodeTime(Number.isNaN(parsed) ? 0 : Math.min(Math.max(parsed, 0), 2 ** 48 - 1), 10).toLowerCase();
  const codes = await macs(keyring, "github-deliveries", `${namespace}\n${appId}\n${delivery}`);
  return codes.map((code) => `${time}${crockford80(code)}${toHex(code.subarray(10, 20))}`);
}

/** Opens the gate of a verified delivery under `policy` (or finds the one a first delivery opened). */
async function openForDelivery(
  env: Env,
  policy: StoredPolicy,
  delivery: string,
  parsed: Delivery,
): Promise<DeliveryAnswer> {
  const github = policy.github;
  if (!github) throw new AppError("internal", "the verifying policy has no GitHub App");
  const [id = "", ...earlier] = await deliveryGateIds(
    keyringOf(env),
    policy.namespace,
    github.appId,
    delivery,
    parsed.deployment.created_at,
  );
  for (const candidate of [id, ...earlier]) {
    const existing = await gateOf(env, candidate).read();
    if (existing) return { status: 200, body: summaryOf(existing, true), duplicate: true };
  }
  const callbackUrl = parsed.deployment_callback_url;
  const refusal = callbackRefusal(github.apiUrl, callbackUrl, parsed.repository.full_name);
  if (refusal !== null) {
    log.warn("a GitHub delivery names a callback URL off the App's API; the gate records it and sends nothing", {
      namespace: policy.namespace,
      policy: policy.name,
      delivery,
    });
  }
  const runId = reviewEndpointOf(github.apiUrl, callbackUrl)?.runId;
  const view = await openApprovalGate(
    env,
    policy.namespace,
    {
      policy: policy.name,
      ...requesterOf(parsed),
      context: {
        repository: parsed.repository.full_name,
        environment: parsed.environment,
        ref: parsed.deployment.ref,
        sha: parsed.deployment.sha,
        ...(runId ? { runUrl: `${parsed.repository.html_url.replace(/\/+$/, "")}/actions/runs/${runId}` } : {}),
      },
    },
    undefined,
    {
      id,
      policy,
      github: {
        delivery,
        installationId: parsed.installation.id,
        repositoryId: parsed.repository.id,
        repository: parsed.repository.full_name,
        environment: parsed.environment,
        callbackUrl,
        refusal,
      },
    },
  );
  return { status: 201, body: summaryOf(view, false), duplicate: false };
}

/**
 * `requestedBy`: the deployment's creator (else the delivery's sender) — their login, and their
 * email when GitHub shows it (so a policy's forbidRequester knows them in Slack or the console too).
 */
function requesterOf(parsed: Delivery): { requestedBy?: { github?: string; email?: string } } {
  const login = parsed.deployment.creator?.login ?? parsed.sender.login;
  const email = parsed.deployment.creator?.email;
  const requester = {
    ...(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(login) ? { github: login } : {}),
    ...(email && /^[^\s@:*]{1,64}@[a-z0-9.-]{1,253}$/i.test(email) ? { email: email.toLowerCase() } : {}),
  };
  return Object.keys(requester).length > 0 ? { requestedBy: requester } : {};
}

/** What GitHub's delivery log shows of the gate: no callback URI, no message id. */
function summaryOf(view: GateView, duplicate: boolean): z.output<typeof deliveryGateSchema> {
  return {
    id: view.id,
    namespace: view.namespace,
    policy: view.policy,
    status: view.status,
    ...(view.github ? { github: view.github } : {}),
    ...(duplicate ? { duplicate: true, message: "a redelivery: the gate it opened is unchanged" } : {}),
  };
}
