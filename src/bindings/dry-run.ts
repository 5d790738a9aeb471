import { z } from "zod";
import { notFound } from "../lib/errors";
import { newEventId } from "../lib/ids";
import { parseWith } from "../lib/validation";
import { compileBinding, type FieldError } from "./compile";
import { evaluateBinding } from "./evaluate";
import { getBinding } from "./store";

/** A sample event to try a binding on. */
export const dryRunInputSchema = z.strictObject({
  payload: z.unknown(),
  metadata: z.record(z.string(), z.array(z.string())).default({}),
  discriminator: z.string().max(253).default(""),
});

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
 * Runs a stored binding on a sample event (validated here: `{payload, metadata?,
 * discriminator?}`) — every expression, matched or not — and submits nothing. Throws not_found
 * when the binding does not exist. Serves the API's `/test` and the console alike.
 */
export async function dryRunBinding(
  db: D1Database,
  namespace: string,
  name: string,
  sample: unknown,
): Promise<DryRunResult> {
  const input = parseWith(dryRunInputSchema, sample);
  const stored = await getBinding(db, namespace, name);
  if (!stored) throw notFound(`workfloweventbinding "${name}" not found in namespace "${namespace}"`);
  const compiled = compileBinding(stored);
  if (!compiled.ok) return { matched: false, parameters: {}, workflow: null, errors: compiled.error.fields ?? [] };
  const evaluation = await evaluateBinding(
    compiled.value,
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
    workflow: { cluster: compiled.value.cluster, template: compiled.value.template, ...evaluation.workflow },
    errors: evaluation.errors,
  };
}
