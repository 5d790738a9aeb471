import { z } from "zod";
import { fail, ok, type Result } from "../lib/result";

/**
 * Which workflow nodes a policy guards, and the node a gate holds as the cluster knows it. A
 * policy may claim subjects — `{workflowTemplate?, template?}`, globs over the WorkflowTemplate a
 * workflow was made from and the template its node runs — and a gate of another policy on a
 * claimed node is refused: a developer who may not decide the prod gate cannot resume the prod
 * node through a laxer policy. What is matched is what the cluster answers for the workflow
 * (GET the workflow: `spec.workflowTemplateRef.name`, the node's template), never what the
 * caller sends; the node a selector names must be exactly one suspend node, and the gate sets it
 * by its id.
 */

const globPattern = /^[A-Za-z0-9*?._-]{1,253}$/;
const glob = z.string().regex(globPattern, "must be a name or a glob (* and ? wildcards)");

export const subjectClaimSchema = z
  .strictObject({
    /** Glob over the workflow's `spec.workflowTemplateRef.name`. */
    workflowTemplate: glob.optional(),
    /** Glob over the node's template (`templateName`, or `templateRef.template`). */
    template: glob.optional(),
  })
  .refine(
    (claim) => claim.workflowTemplate !== undefined || claim.template !== undefined,
    "name workflowTemplate, template or both",
  );

export type SubjectClaim = z.output<typeof subjectClaimSchema>;

/** The node a gate holds, as the cluster describes it. */
export interface ResolvedNode {
  /** The node's id: the gate sets the node by it (`id=…`). */
  id: string;
  workflowTemplate: string | null;
  template: string | null;
}

/** True when `value` matches a glob (`*` any run of characters, `?` one character). */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\-]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(value);
}

/** True when a claim covers the node (a missing part of the claim matches anything; a missing fact matches no glob). */
export function claimCovers(claim: SubjectClaim, node: ResolvedNode): boolean {
  const part = (pattern: string | undefined, fact: string | null) =>
    pattern === undefined || (fact !== null && globMatches(pattern, fact));
  return part(claim.workflowTemplate, node.workflowTemplate) && part(claim.template, node.template);
}

/** A policy, as far as its claims go. */
export interface Claimant {
  name: string;
  subjects?: readonly SubjectClaim[];
}

/**
 * Whether a gate of `policy` may hold this node: yes when no policy claims it, or when `policy`
 * is one of those that do; otherwise a refusal naming the claiming policy.
 */
export function mayHold(policies: readonly Claimant[], policy: string, node: ResolvedNode): Result<true> {
  const claiming = policies.filter((candidate) => (candidate.subjects ?? []).some((claim) => claimCovers(claim, node)));
  if (claiming.length === 0 || claiming.some((candidate) => candidate.name === policy)) return ok(true);
  const names = claiming.map((candidate) => candidate.name);
  return fail(
    "permission_denied",
    `this workflow node (template ${node.template ?? "?"} of WorkflowTemplate ${node.workflowTemplate ?? "(none)"}) is claimed by policy ${names.map((name) => `"${name}"`).join(", ")}: open its gate under that policy`,
  );
}
