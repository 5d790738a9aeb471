import { z } from "zod";
import { notFound } from "../lib/errors";
import { newEventId } from "../lib/ids";
import { parseWith } from "../lib/validation";
import { compileBinding, type FieldError } from "./compile";
import { evaluateBinding } from "./evaluate";
import { getBinding } from "./store";
import { describeWindow, type WindowKind, windowName, windowOf } from "./window";

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
  /** For a binding that dedupes or throttles: this event's key and what its window would do with it now. */
  window?: { kind: WindowKind; key: string; period: string; limit: number; explanation: string };
  /** For a binding with dependencies: which ones this event satisfies, with its key (it would wait for the others). */
  dependencies?: Array<{ name: string; key: string }>;
  errors: FieldError[];
}

/**
 * Runs a stored binding on a sample event (validated here: `{payload, metadata?,
 * discriminator?}`) — every expression, matched or not — and submits nothing. Throws not_found
 * when the binding does not exist. Serves the API's `/test` and the console alike.
 */
export async function dryRunBinding(env: Env, namespace: string, name: string, sample: unknown): Promise<DryRunResult> {
  const input = parseWith(dryRunInputSchema, sample);
  const stored = await getBinding(env.DB, namespace, name);
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
  const windowed = compiled.value.window;
  const windowSpec = stored.spec.event.debounce ?? stored.spec.event.dedupe ?? stored.spec.event.throttle;
  let window: DryRunResult["window"];
  if (windowed && windowSpec && evaluation.windowKey !== null) {
    const key = evaluation.windowKey;
    const open = await windowOf(env, await windowName(namespace, stored.metadata.uid, key)).peek();
    window = {
      kind: windowed.rule.kind,
      key,
      period: windowSpec.period,
      limit: windowed.rule.limit,
      explanation: describeWindow(windowed.rule, key, windowSpec.period, open),
    };
  }
  return {
    matched: evaluation.matched,
    parameters: evaluation.parameters,
    workflow: { cluster: compiled.value.cluster, template: compiled.value.template, ...evaluation.workflow },
    ...(window ? { window } : {}),
    ...(compiled.value.dependencies ? { dependencies: evaluation.dependencies } : {}),
    errors: evaluation.errors,
  };
}
