import { z } from "zod";
import { MAX_EXPRESSION_LENGTH } from "../expressions/jsonata";
import { parseDuration } from "../lib/duration";
import { isQualifiedName } from "../lib/kubernetes";
import { isDns1123Subdomain } from "../lib/names";

export const BINDING_API_VERSION = "argoproj.io/v1alpha1";
export const BINDING_KIND = "WorkflowEventBinding";
export const DEFAULT_CLUSTER = "default";
/** Binding names become label values on submitted workflows, which Kubernetes caps at 63. */
export const MAX_BINDING_NAME_LENGTH = 63;

const expression = z.string().min(1, "must be a non-empty expression").max(MAX_EXPRESSION_LENGTH);
const kubernetesName = z.string().refine(isDns1123Subdomain, "must be a Kubernetes name (DNS-1123 subdomain)");
const expressionMap = z
  .record(z.string().refine(isQualifiedName, "must be a valid label/annotation key"), expression)
  .refine((map) => Object.keys(map).length <= 64, "at most 64 entries");

const parameterSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}$/, "must be a parameter name (letters, digits, _ . -)"),
    description: z.string().max(1024).optional(),
    value: z
      .string()
      .max(256 * 1024)
      .optional(),
    valueFrom: z.strictObject({ event: expression }).optional(),
  })
  .refine(
    (p) => (p.value === undefined) !== (p.valueFrom === undefined),
    "set exactly one of value or valueFrom.event",
  );

const MIN_WINDOW_MS = 1000;
const MAX_WINDOW_MS = 7 * 86_400_000;
const windowPeriod = z.string().refine((value) => {
  const ms = parseDuration(value);
  return ms !== null && ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS;
}, 'must be a duration between 1s and 7d, such as "30s" or "10m"');

/** hookline's windows on a binding: which key an event belongs to, and how long its window lasts. */
const windowSchema = z.strictObject({ key: expression, period: windowPeriod });

/** A dependency of a binding (Argo Events' sensor dependencies): which events, correlated by which key. */
const dependencySchema = z.strictObject({
  /** A name the condition and `events.<name>` use: letters, digits and _, starting with a letter. */
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, "must be a name: a letter, then letters, digits or _"),
  selector: expression,
  key: expression,
});

/** The `spec` of a WorkflowEventBinding: Argo's shape, JSONata expressions, plus `cluster`. */
const bindingSpecObject = z.strictObject({
  cluster: kubernetesName.default(DEFAULT_CLUSTER),
  expressionLanguage: z.enum(["jsonata", "expr"]).default("jsonata"),
  event: z
    .strictObject({
      selector: expression,
      /** Each event of a key waits; the last one submits `period` after it (the others are debounced). */
      debounce: windowSchema.optional(),
      /** The first event of a key submits; the others within `period` are deduplicated. */
      dedupe: windowSchema.optional(),
      /** The first `limit` events of a key within `period` submit; the others are throttled. */
      throttle: windowSchema.extend({ limit: z.number().int().min(1).max(10_000) }).optional(),
    })
    .refine(
      (event) => [event.debounce, event.dedupe, event.throttle].filter((window) => window !== undefined).length <= 1,
      "set one of debounce, dedupe or throttle, not several",
    ),
  submit: z.strictObject({
    workflowTemplateRef: z.strictObject({
      name: kubernetesName,
      clusterScope: z.boolean().default(false),
    }),
    metadata: z
      .strictObject({
        name: expression.optional(),
        generateName: expression.optional(),
        labels: expressionMap.optional(),
        annotations: expressionMap.optional(),
      })
      .refine((m) => m.name === undefined || m.generateName === undefined, "set name or generateName, not both")
      .optional(),
    arguments: z
      .strictObject({
        parameters: z
          .array(parameterSchema)
          .max(200)
          .refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, "parameter names must be unique")
          .optional(),
      })
      .optional(),
  }),
  /**
   * hookline: hold this binding's submissions while the cluster runs this many of its workflows
   * (Pending or Running), in arrival order, without spending attempts.
   */
  maxPending: z.number().int().min(1).max(100_000).optional(),
  /** hookline: while its submissions are held, keep only the newest event per key (older ones are superseded). */
  supersede: z.strictObject({ key: expression }).optional(),
  /** hookline: log and match events but hold their submissions until resumed (released in arrival order). */
  paused: z.boolean().optional(),
  /** hookline: submit once every dependency the condition needs has an event with the same key. */
  dependencies: z
    .array(dependencySchema)
    .min(2)
    .max(10)
    .refine((list) => new Set(list.map((d) => d.name)).size === list.length, "dependency names must be unique")
    .optional(),
  /** Over the dependency names (true when that dependency has an event); default: all of them. */
  condition: expression.optional(),
  /** A partial match expires this long after its first event. */
  within: windowPeriod.optional(),
});

/**
 * The spec as validated: a binding with `dependencies` may leave out `event` (its events are
 * those of its dependencies: the selector defaults to `true`); `condition` and `within` belong
 * to dependencies, and windows (debounce…) to single events.
 */
export const bindingSpecSchema = z
  .preprocess((spec) => {
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return spec;
    const record = spec as Record<string, unknown>;
    return record.dependencies !== undefined && record.event === undefined
      ? { ...record, event: { selector: "true" } }
      : spec;
  }, bindingSpecObject)
  .refine(
    (spec) => spec.dependencies !== undefined || (spec.condition === undefined && spec.within === undefined),
    "condition and within need dependencies",
  )
  .refine(
    (spec) =>
      spec.dependencies === undefined ||
      (spec.event.debounce === undefined && spec.event.dedupe === undefined && spec.event.throttle === undefined),
    "a binding with dependencies cannot also debounce, dedupe or throttle",
  );

export type BindingSpec = z.output<typeof bindingSpecSchema>;

/** A binding as sent by a client (kubectl-style; server-owned metadata fields are ignored). */
export const bindingInputSchema = z.strictObject({
  apiVersion: z.literal(BINDING_API_VERSION).optional(),
  kind: z.literal(BINDING_KIND).optional(),
  metadata: z.looseObject({
    name: z.string().optional(),
    namespace: z.string().optional(),
    labels: z.record(z.string().refine(isQualifiedName, "must be a valid label key"), z.string().max(63)).optional(),
    annotations: z.record(z.string().refine(isQualifiedName, "must be a valid annotation key"), z.string()).optional(),
  }),
  spec: bindingSpecSchema,
  status: z.unknown().optional(),
});

export type BindingInput = z.output<typeof bindingInputSchema>;

/** A binding as stored and returned by the API. */
export const storedBindingSchema = z.object({
  apiVersion: z.literal(BINDING_API_VERSION),
  kind: z.literal(BINDING_KIND),
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    uid: z.string(),
    generation: z.number().int(),
    creationTimestamp: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: bindingSpecSchema,
  status: z
    .object({
      /** For `expressionLanguage: expr`: the JSONata each expression was translated into, by field. */
      translated: z.record(z.string(), z.string()).optional(),
      /** When `spec.paused` was last lifted: its held submissions are released oldest first. */
      resumedAt: z.string().optional(),
    })
    .optional(),
});
export type StoredBinding = z.output<typeof storedBindingSchema>;
