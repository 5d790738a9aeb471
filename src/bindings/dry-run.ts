import { z } from "zod";
import { newEventId } from "../lib/ids";
import { compileBinding, type FieldError } from "./compile";
import { evaluateBinding } from "./evaluate";
import { getBinding } from "./store";

/** A sample event to try a binding on. */
export const dryRunInputSchema = z.strictObject({
  payload: z.unknown(),
  metadata: z.record(z.string(), z.array(z.string())).default({}),
  discriminator: z.string().max(253).default(""),
});
export type DryRunInput = z.output<typeof dryRunInputSchema>;

/** What a binding would do with a sample event; `workflow` is null when the binding does not compile. */
export interface DryRunResult {
  matched: boolean;
  parameters: Record<string, string>;
  workflow: {
    cluster: string;
    template: { name: string; clusterScope: boolean };
    name: string | null;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  } | null;
  errors: FieldError[];
}

/**
 * Runs a stored binding on a sample event — every expression, matched or not — and submits
 * nothing. Null when the binding does not exist. Serves the API's `/test` and the console.
 */
export async function dryRunBinding(
  db: D1Database,
  namespace: string,
  name: string,
  input: DryRunInput,
): Promise<DryRunResult | null> {
  const stored = await getBinding(db, namespace, name);
  if (!stored) return null;
  const compiled = compileBinding(stored);
  if ("errors" in compiled) return { matched: false, parameters: {}, workflow: null, errors: compiled.errors };
  const evaluation = await evaluateBinding(
    compiled.binding,
    {
      id: newEventId(),
      environment: {
        payload: input.payload,
        metadata: input.metadata,
        discriminator: input.discriminator,
        namespace,
      },
      senderTemplates: null,
    },
    { full: true },
  );
  return {
    matched: evaluation.matched,
    parameters: evaluation.parameters,
    workflow: { cluster: compiled.binding.cluster, template: compiled.binding.template, ...evaluation.workflow },
    errors: evaluation.errors,
  };
}
