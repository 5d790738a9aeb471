import { z } from "zod";
import { notFound } from "../lib/errors";
import { newEventId } from "../lib/ids";
import { assertObjectName } from "../lib/names";
import { parseWith } from "../lib/validation";
import { compileBinding } from "./compile";
import { evaluateBinding } from "./evaluate";
import { getBinding } from "./store";
import { describeWindow, windowName, windowOf } from "./window";

/** A sample event to try a binding on. */
export const dryRunInputSchema = z.strictObject({
  payload: z.unknown(),
  metadata: z.record(z.string(), z.array(z.string())).default({}),
  discriminator: z.string().max(253).default(""),
});

/** What a binding would do with a sample event; `workflow` is null when the binding does not compile. */
export const dryRunResultSchema = z.object({
  matched: z.boolean(),
  parameters: z.record(z.string(), z.string()),
  workflow: z
    .object({
      cluster: z.string(),
      template: z.object({ name: z.string(), clusterScope: z.boolean() }),
      name: z.string().nullable(),
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()),
    })
    .nullable(),
  /** For a binding that dedupes or throttles: this event's key and what its window would do with it now. */
  window: z
    .object({
      kind: z.enum(["debounce", "dedupe", "throttle"]),
      key: z.string(),
      period: z.string(),
      limit: z.number(),
      explanation: z.string(),
    })
    .optional(),
  /** For a binding with dependencies: which ones this event satisfies, with its key (it would wait for the others). */
  dependencies: z.array(z.object({ name: z.string(), key: z.string() })).optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type DryRunResult = z.output<typeof dryRunResultSchema>;

/**
 * Runs a stored binding on a sample event (validated here: `{payload, metadata?,
 * discriminator?}`) — every expression, matched or not — and submits nothing. Throws not_found
 * when the binding does not exist. Serves the API's `/test` and the console alike.
 */
export async function dryRunBinding(env: Env, namespace: string, name: string, sample: unknown): Promise<DryRunResult> {
  assertObjectName(name, "binding name");
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
