import { z } from "zod";
import { applyActionOf, fingerprint } from "../auth/fingerprint";
import type { Principal } from "../auth/principal";
import { keyringOf } from "../auth/secrets";
import type { ApplyAction } from "../lib/apply";
import { notFound } from "../lib/errors";
import { assertObjectName } from "../lib/names";
import { checkDecisionChannels } from "./channels";
import { buildPolicy, describePolicy } from "./policy";
import { deletePolicy, getPolicy, listPolicies, savePolicy } from "./store";

/**
 * Approval policies as the API, the CLI and the console manage them: applied (header secrets
 * sealed, channels checked to carry decisions), listed, read, deleted. Gates keep the snapshot
 * of the policy they were opened under.
 */

/** A policy as the API shows it: sealed header values are never returned. */
export const policyViewSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  webhooks: z.array(
    z.looseObject({
      name: z.string(),
      method: z.string(),
      uri: z.string(),
      headers: z.array(z.object({ name: z.string() }).catchall(z.string())),
      body: z.string(),
      retryCount: z.number().int(),
      timeoutSeconds: z.number(),
    }),
  ),
  manual: z.looseObject({
    required: z.boolean(),
    approvers: z.array(z.string()).optional(),
    channels: z.array(z.object({ service: z.string(), recipients: z.array(z.string()).readonly() })).readonly(),
    quorum: z.number().int(),
    forbidRequester: z.boolean(),
  }),
  subjects: z.array(z.object({ workflowTemplate: z.string().optional(), template: z.string().optional() })),
  windows: z.array(z.looseObject({ kind: z.enum(["allow", "deny"]), schedule: z.string(), duration: z.string() })),
  override: z.object({ approvers: z.array(z.string()) }).optional(),
  timeout: z.string(),
  onDecision: z.object({ setNode: z.boolean(), outputParameter: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Applies a policy (create or replace; a dry run stores nothing): what it shows, and what the apply did. */
export async function applyPolicy(
  env: Env,
  principal: Principal,
  namespace: string,
  name: string,
  body: unknown,
  dryRun: boolean,
): Promise<{ policy: ReturnType<typeof describePolicy>; action: ApplyAction; created: boolean }> {
  assertObjectName(name, "policy name");
  const keyring = keyringOf(env);
  const previous = await getPolicy(env.DB, namespace, name);
  const { policy, input } = await buildPolicy(principal, namespace, name, body, () => keyring, previous);
  await checkDecisionChannels(env.DB, policy);
  const prints = await fingerprint(keyring, input);
  policy.fingerprint = prints.current;
  const action = applyActionOf(previous, prints, dryRun);
  if (action !== "unchanged" && !dryRun) await savePolicy(env.DB, policy);
  const shown = action === "unchanged" && previous ? previous : policy;
  return { policy: describePolicy(shown), action, created: previous === null };
}

/** A namespace's policies. */
export async function policyList(db: D1Database, namespace: string) {
  return { items: (await listPolicies(db, namespace)).map(describePolicy) };
}

/** One policy, or not_found. */
export async function policyNamed(db: D1Database, namespace: string, name: string) {
  const policy = await getPolicy(db, namespace, assertObjectName(name, "policy name"));
  if (!policy) throw notFound(`approval policy "${name}" not found in namespace "${namespace}"`);
  return describePolicy(policy);
}

/** Deletes a policy (gates already opened keep their snapshot), or not_found. */
export async function removePolicy(db: D1Database, namespace: string, name: string): Promise<void> {
  if (!(await deletePolicy(db, namespace, assertObjectName(name, "policy name")))) {
    throw notFound(`approval policy "${name}" not found in namespace "${namespace}"`);
  }
}
