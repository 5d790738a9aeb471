import { z } from "zod";
import type { Keyring } from "../auth/keys";
import { restoreHeaders, restoreValue } from "../auth/placeholders";
import type { Principal } from "../auth/principal";
import {
  describeHeaders,
  headerInputSchema,
  resealHeaders,
  type StoredHeader,
  sealHeaders,
  workerSecretFields,
} from "../auth/sealed-headers";
import { SecretBox } from "../auth/secret-box";
import { authorizeWorkerSecretNames, SEALED, secretValueSchema } from "../auth/secrets";
import { specOf } from "../lib/documents";
import { parseDuration } from "../lib/duration";
import { AppError } from "../lib/errors";
import { isDns1123Label, isDns1123Subdomain } from "../lib/names";
import { hasTemplate } from "../lib/templates";
import { outboundUrl } from "../lib/urls";
import { parseWith } from "../lib/validation";
import { approverSchema, type ManualPolicy, namesOnePerson } from "./approvers";
import { GITHUB_API_URL, importAppPrivateKey } from "./github-app";
import { type SubjectClaim, subjectClaimSchema } from "./subject-claims";
import { type ChangeWindow, changeWindowSchema } from "./windows";

/** The body template webhooks get unless they name another one. */
export const DEFAULT_BODY_TEMPLATE = "default";
const MAX_TIMEOUT_MS = 30 * 86_400_000;

const channelSchema = z.strictObject({
  service: z.string().refine(isDns1123Subdomain, "must be a notification service name"),
  recipients: z.array(z.string().min(1).max(200)).max(20).default([]),
});

const webhookSchema = z.strictObject({
  name: z.string().refine(isDns1123Label, "must be a DNS-1123 label"),
  method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
  uri: outboundUrl(),
  // Naming a Worker secret is an admin power (src/auth/secrets.ts); everyone else sends `secret`.
  headers: z.array(headerInputSchema).max(20).default([]),
  body: z
    .string()
    .default(DEFAULT_BODY_TEMPLATE)
    .refine(
      (name) => hasTemplate(`@approvals/${name}`),
      "must name a template under templates/approvals/ (compiled at build time)",
    ),
  retryCount: z.number().int().min(0).max(10).default(3),
  timeoutSeconds: z.number().min(1).max(30).default(10),
});

/** GitHub environment names: at most 255 characters (GitHub compares them case-insensitively). */
const environmentNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((name) => !/\p{Cc}/u.test(name), "must not contain control characters");

/** A GitHub App answering GitHub's deployment protection rules for named environments. */
const githubSchema = z.strictObject({
  /** The App's id (its settings page: "App ID"). */
  appId: z.union([
    z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/, "must be the App's numeric id")
      .transform(Number),
  ]),
  /** The App's private key, the PEM file GitHub hands out (PKCS#1; PKCS#8 too); sealed at rest. */
  privateKey: secretValueSchema(16_384),
  /** The App's webhook secret: every delivery must be signed with it; sealed at rest. */
  webhookSecret: secretValueSchema(1024),
  /** The environments whose deployments this policy gates; a delivery for any other opens nothing. */
  environments: z
    .array(environmentNameSchema)
    .min(1)
    .max(50)
    .refine(
      (names) => new Set(names.map((name) => name.toLowerCase())).size === names.length,
      "environment names must be unique (GitHub compares them case-insensitively)",
    ),
  /** GitHub's REST API, or GitHub Enterprise Server's (`https://HOST/api/v3`). */
  apiUrl: outboundUrl()
    .refine((value) => {
      const url = new URL(value);
      return url.search === "" && url.hash === "" && url.username === "" && url.password === "";
    }, "must be the API's base URL, without query, fragment or credentials")
    .transform((value) => value.replace(/\/+$/, ""))
    .default(GITHUB_API_URL),
});

export const policySpecSchema = z
  .strictObject({
    webhooks: z
      .array(webhookSchema)
      .max(10)
      .default([])
      .refine((hooks) => new Set(hooks.map((hook) => hook.name)).size === hooks.length, "webhook names must be unique"),
    manual: z
      .strictObject({
        required: z.boolean(),
        /** Who may decide (src/approvals/approvers.ts); without a list, anyone with approvals:decide. */
        approvers: z.array(approverSchema).min(1).max(100).optional(),
        /** Chat messages carry one-time Approve / Reject links (`/approve/{token}`). */
        chatLinks: z.boolean().default(false),
        /** Chat buttons ask "are you sure?" before approving (for production policies). */
        confirm: z.boolean().default(false),
        /** Where the gate itself sends its request with buttons or links: the only chats that decide. */
        channels: z
          .array(channelSchema)
          .max(10)
          .default([])
          .refine(
            (channels) => new Set(channels.map((channel) => channel.service)).size === channels.length,
            "each service may be named once (list its recipients together)",
          ),
        /** How many distinct people must approve; any approver's rejection rejects. */
        quorum: z.number().int().min(1).max(50).default(1),
        /** The gate's requester (`requestedBy` on create) may not approve it. */
        forbidRequester: z.boolean().default(false),
      })
      .default({ required: false, chatLinks: false, confirm: false, channels: [], quorum: 1, forbidRequester: false })
      .superRefine((manual, context) => {
        if (manual.chatLinks && manual.channels.length === 0)
          context.addIssue({
            code: "custom",
            path: ["chatLinks"],
            message: "chatLinks needs manual.channels: the gate sends its one-time links only there",
          });
        if (manual.chatLinks && manual.quorum > 1)
          context.addIssue({
            code: "custom",
            path: ["chatLinks"],
            message:
              "one-time links carry no person, so they cannot make up a quorum above 1: drop chatLinks or the quorum",
          });
        const approvers = manual.approvers ?? [];
        if (approvers.length > 0 && approvers.every(namesOnePerson) && manual.quorum > approvers.length)
          context.addIssue({
            code: "custom",
            path: ["quorum"],
            message: `a quorum of ${manual.quorum} needs at least as many approvers; the list names ${approvers.length} (groups and patterns may hold more)`,
          });
      }),
    /** Change windows (Argo CD's SyncWindow shape): when an approved gate may complete. */
    windows: z.array(changeWindowSchema).max(20).default([]),
    /** Break-glass: who may approve during a window, with a reason (recorded and announced). */
    override: z.strictObject({ approvers: z.array(approverSchema).min(1).max(50) }).optional(),
    /** Gate GitHub Actions deployments: the App whose deployment protection rule deliveries open gates here. */
    github: githubSchema.optional(),
    /** The workflows and nodes this policy guards: a gate of another policy on them is refused. */
    subjects: z.array(subjectClaimSchema).max(20).default([]),
    timeout: z
      .string()
      .default("24h")
      .refine((value) => {
        const ms = parseDuration(value);
        return ms !== null && ms >= 60_000 && ms <= MAX_TIMEOUT_MS;
      }, 'must be a duration between 1m and 30d, such as "24h" or "30m"'),
    onDecision: z
      .strictObject({
        /** Set the waiting workflow node when the gate has a subject. */
        setNode: z.boolean().default(true),
        /** Output parameter set on the node: "true" when approved, else "false". */
        outputParameter: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,63}$/)
          .default("approved"),
      })
      .default({ setNode: true, outputParameter: "approved" }),
  })
  .refine(
    (spec) => spec.webhooks.length > 0 || spec.manual.required,
    "a policy needs at least one webhook or a required manual approval",
  );

export interface StoredWebhook {
  name: string;
  method: "POST" | "PUT" | "PATCH";
  uri: string;
  headers: StoredHeader[];
  body: string;
  retryCount: number;
  timeoutSeconds: number;
}

/** A policy's GitHub App, as stored: its private key and webhook secret sealed. */
export interface StoredGitHub {
  appId: number;
  privateKeySealed: string;
  webhookSecretSealed: string;
  environments: string[];
  apiUrl: string;
}

/** An approval policy as stored (and snapshotted into every gate created from it). */
export interface StoredPolicy {
  name: string;
  namespace: string;
  webhooks: StoredWebhook[];
  manual: ManualPolicy;
  /** The subjects this policy claims (older policies claim none). */
  subjects?: SubjectClaim[];
  /** When an approved gate may complete (older policies: always). */
  windows?: ChangeWindow[];
  /** Who may approve during a window, with a reason. */
  override?: { approvers: string[] };
  /** The GitHub App whose deployment protection rule deliveries open gates of this policy. */
  github?: StoredGitHub;
  timeout: string;
  timeoutMs: number;
  onDecision: { setNode: boolean; outputParameter: string };
  createdAt: string;
  updatedAt: string;
  /** Keyed fingerprint of the applied input (src/auth/fingerprint.ts). */
  fingerprint?: string;
}

/** The record context a header secret is sealed to. */
export function headerSecretContext(namespace: string, policy: string, webhook: string, header: string): string {
  return `approval-policy:${namespace}/${policy}/${webhook}/${header}`;
}

/** The record context a policy's GitHub App secret is sealed to (apart from webhook headers' contexts). */
export function githubSecretContext(
  namespace: string,
  policy: string,
  field: "private-key" | "webhook-secret",
): string {
  return `approval-policy-github:${namespace}/${policy}/${field}`;
}

/**
 * Re-seals a policy's secrets — header secrets, its GitHub App's private key and webhook secret —
 * under the current key, in place; returns how many changed. Stored policies and the snapshots
 * pending gates keep of them are re-sealed alike.
 */
export async function resealPolicySecrets(policy: StoredPolicy, box: SecretBox): Promise<number> {
  let changed = 0;
  for (const hook of policy.webhooks) {
    changed += await resealHeaders(hook.headers, box, (header) =>
      headerSecretContext(policy.namespace, policy.name, hook.name, header),
    );
  }
  const github = policy.github;
  if (github) {
    const privateKey = await box.reseal(
      github.privateKeySealed,
      githubSecretContext(policy.namespace, policy.name, "private-key"),
    );
    const webhookSecret = await box.reseal(
      github.webhookSecretSealed,
      githubSecretContext(policy.namespace, policy.name, "webhook-secret"),
    );
    if (privateKey !== null) github.privateKeySealed = privateKey;
    if (webhookSecret !== null) github.webhookSecretSealed = webhookSecret;
    changed += (privateKey === null ? 0 : 1) + (webhookSecret === null ? 0 : 1);
  }
  return changed;
}

type GitHubInput = z.output<typeof githubSchema>;

/**
 * The GitHub block with each "(sealed)" replaced by what is stored — the private key only while
 * the App and its API stay the same (a kept key must not sign for another GitHub) — and the
 * private key checked: it must be an RSA key the App can sign its JWTs with.
 */
async function restoreGitHub(
  keyring: Keyring,
  github: GitHubInput | undefined,
  stored: StoredGitHub | undefined,
  namespace: string,
  name: string,
): Promise<GitHubInput | undefined> {
  if (!github) return undefined;
  const sameApp = stored?.apiUrl === github.apiUrl && stored.appId === github.appId;
  const privateKey = await restoreValue(
    keyring,
    github.privateKey,
    stored?.privateKeySealed,
    githubSecretContext(namespace, name, "private-key"),
    "github.privateKey",
    { unchanged: sameApp, field: "github.apiUrl and github.appId" },
  );
  const webhookSecret = await restoreValue(
    keyring,
    github.webhookSecret,
    stored?.webhookSecretSealed,
    githubSecretContext(namespace, name, "webhook-secret"),
    "github.webhookSecret",
  );
  if (privateKey === undefined || webhookSecret === undefined) return github;
  if (!(await importAppPrivateKey(privateKey))) {
    throw new AppError(
      "invalid_argument",
      "github.privateKey: must be the GitHub App's private key — the .pem file GitHub hands out (-----BEGIN RSA PRIVATE KEY-----), or a PKCS#8 RSA key",
    );
  }
  return { ...github, privateKey, webhookSecret };
}

/**
 * Validates a policy body (flat, or kubectl-style with `spec`) and seals header secrets.
 * A header naming a Worker secret needs the admin scope. `previous` keeps the creation time
 * of a replaced policy. Returns the policy to store and the validated input it came from (what
 * "unchanged" compares, so applying what `get` printed is unchanged).
 */
export async function buildPolicy(
  principal: Principal,
  namespace: string,
  name: string,
  body: unknown,
  keyring: () => Keyring,
  previous: StoredPolicy | null,
): Promise<{ policy: StoredPolicy; input: unknown }> {
  const given = specOf(body, name);
  const parsed = parseWith(policySpecSchema, given, given === body ? "" : "spec");
  // "(sealed)" keeps what is stored — while the webhook's URI (the App's API) stays the same.
  const github = await restoreGitHub(keyring(), parsed.github, previous?.github, namespace, name);
  const spec = {
    ...parsed,
    ...(github ? { github } : {}),
    webhooks: await Promise.all(
      parsed.webhooks.map(async (hook, index) => {
        const stored = previous?.webhooks.find((candidate) => candidate.name === hook.name);
        return {
          ...hook,
          headers: await restoreHeaders(
            keyring(),
            hook.headers,
            stored?.headers,
            (header) => headerSecretContext(namespace, name, hook.name, header),
            `webhooks[${index}].headers`,
            { unchanged: stored?.uri === hook.uri, field: `webhooks[${index}].uri` },
          ),
        };
      }),
    ),
  };
  authorizeWorkerSecretNames(
    principal,
    spec.webhooks.flatMap((hook, index) => workerSecretFields(hook.headers, `webhooks[${index}].headers`)),
  );
  let box: SecretBox | undefined;
  const sealer = () => {
    box ??= new SecretBox(keyring());
    return box;
  };
  const webhooks = await Promise.all(
    spec.webhooks.map(
      async (hook): Promise<StoredWebhook> => ({
        ...hook,
        headers: await sealHeaders(hook.headers, sealer, (header) =>
          headerSecretContext(namespace, name, hook.name, header),
        ),
      }),
    ),
  );
  const sealedGitHub: StoredGitHub | undefined = spec.github && {
    appId: spec.github.appId,
    privateKeySealed: await sealer().seal(spec.github.privateKey, githubSecretContext(namespace, name, "private-key")),
    webhookSecretSealed: await sealer().seal(
      spec.github.webhookSecret,
      githubSecretContext(namespace, name, "webhook-secret"),
    ),
    environments: spec.github.environments,
    apiUrl: spec.github.apiUrl,
  };
  const now = new Date().toISOString();
  const policy: StoredPolicy = {
    name,
    namespace,
    webhooks,
    manual: spec.manual,
    subjects: spec.subjects,
    windows: spec.windows,
    ...(spec.override ? { override: spec.override } : {}),
    ...(sealedGitHub ? { github: sealedGitHub } : {}),
    timeout: spec.timeout,
    timeoutMs: parseDuration(spec.timeout) ?? 86_400_000,
    onDecision: spec.onDecision,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  return { policy, input: spec };
}

/** A policy as the API shows it: sealed header values are never returned. */
export function describePolicy(policy: StoredPolicy) {
  // (the fingerprint stays internal)
  return {
    name: policy.name,
    namespace: policy.namespace,
    webhooks: policy.webhooks.map((hook) => ({
      ...hook,
      headers: describeHeaders(hook.headers),
    })),
    manual: {
      ...policy.manual,
      channels: policy.manual.channels ?? [],
      quorum: policy.manual.quorum ?? 1,
      forbidRequester: policy.manual.forbidRequester ?? false,
    },
    subjects: policy.subjects ?? [],
    windows: policy.windows ?? [],
    ...(policy.override ? { override: policy.override } : {}),
    ...(policy.github
      ? {
          github: {
            appId: policy.github.appId,
            privateKey: SEALED,
            webhookSecret: SEALED,
            environments: policy.github.environments,
            apiUrl: policy.github.apiUrl,
          },
        }
      : {}),
    timeout: policy.timeout,
    onDecision: policy.onDecision,
    createdAt: policy.createdAt,
    updatedAt: policy.updatedAt,
  };
}
