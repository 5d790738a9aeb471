import { z } from "zod";
import type { Keyring } from "../auth/keys";
import { restoreHeaders } from "../auth/placeholders";
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
import { authorizeWorkerSecretNames } from "../auth/secrets";
import { specOf } from "../lib/documents";
import { parseDuration } from "../lib/duration";
import { isDns1123Label, isDns1123Subdomain } from "../lib/names";
import { hasTemplate } from "../lib/templates";
import { outboundUrl } from "../lib/urls";
import { parseWith } from "../lib/validation";
import { approverSchema, type ManualPolicy, namesOnePerson } from "./approvers";
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

/**
 * Re-seals a policy's header secrets under the current key, in place; returns how many changed.
 * Stored policies and the snapshots pending gates keep of them are re-sealed alike.
 */
export async function resealHeaderSecrets(policy: StoredPolicy, box: SecretBox): Promise<number> {
  let changed = 0;
  for (const hook of policy.webhooks) {
    changed += await resealHeaders(hook.headers, box, (header) =>
      headerSecretContext(policy.namespace, policy.name, hook.name, header),
    );
  }
  return changed;
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
  // "(sealed)" keeps what is stored — while the webhook's URI stays the same.
  const spec = {
    ...parsed,
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
  const webhooks = await Promise.all(
    spec.webhooks.map(
      async (hook): Promise<StoredWebhook> => ({
        ...hook,
        headers: await sealHeaders(
          hook.headers,
          () => {
            box ??= new SecretBox(keyring());
            return box;
          },
          (header) => headerSecretContext(namespace, name, hook.name, header),
        ),
      }),
    ),
  );
  const now = new Date().toISOString();
  const policy: StoredPolicy = {
    name,
    namespace,
    webhooks,
    manual: spec.manual,
    subjects: spec.subjects,
    windows: spec.windows,
    ...(spec.override ? { override: spec.override } : {}),
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
    timeout: policy.timeout,
    onDecision: policy.onDecision,
    createdAt: policy.createdAt,
    updatedAt: policy.updatedAt,
  };
}
