// @ts-check
// `hookline import argo-events -f sensor.yaml [-n NS]`: an Argo Events Sensor whose dependencies
// come from webhook event sources and whose triggers submit an Argo Workflow from a
// WorkflowTemplate, as WorkflowEventBindings — one per trigger: with `dependencies` (and the
// trigger's `conditions`) when the sensor has several, a plain selector when it has one.
// Events are then posted to hookline as /api/v1/events/{ns}/{eventName}. What cannot be
// translated is said, and that trigger is skipped rather than half-imported.
import { readSources } from "./apply.mjs";
import { ServerError } from "./http.mjs";
import { colorStatus, red, yellow } from "./output.mjs";

const nameOf = (/** @type {string} */ text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);

/** Thrown for a part of a sensor hookline cannot express. */
class Untranslatable extends Error {}

/**
 * A gjson path of an Argo Events webhook event (`body.a.b`, `header.X-Foo`) as a JSONata path over
 * hookline's event (`payload.a.b`, `metadata."x-foo"[0]`).
 * @param {string} path
 */
export function eventPath(path) {
  if (/[#*|@?\\]/.test(path)) throw new Untranslatable(`path "${path}" uses gjson syntax hookline cannot translate`);
  const [root, ...rest] = path.split(".");
  const segment = (/** @type {string} */ part) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) ? part : `\`${part}\``);
  if (root === "body") return ["payload", ...rest.map(segment)].join(".");
  if (root === "header" && rest.length === 1) return `metadata.${JSON.stringify((rest[0] ?? "").toLowerCase())}[0]`;
  throw new Untranslatable(`path "${path}": only body.… and header.<name> paths of a webhook event are translated`);
}

/**
 * One `filters.data` entry as a JSONata condition: strings are regular expressions (as in Argo
 * Events, unanchored), numbers compare with the comparator, booleans are equal.
 * @param {any} filter
 */
function dataFilter(filter) {
  if (filter.template) throw new Untranslatable(`filters.data "${filter.path}": template is not translated`);
  const path = eventPath(String(filter.path ?? ""));
  /** @type {string[]} */
  const values = Array.isArray(filter.value) ? filter.value.map(String) : [];
  if (values.length === 0) throw new Untranslatable(`filters.data "${filter.path}": no value`);
  const comparator = filter.comparator ?? "=";
  const type = filter.type ?? "string";
  /** @type {string[]} */
  let tests;
  if (type === "string") {
    tests = values.map(
      (/** @type {string} */ value) => `$contains($string(${path}), /${value.replace(/\//g, "\\/")}/)`,
    );
    if (comparator === "!=") return `$not(${tests.join(" or ")})`;
    if (comparator !== "=")
      throw new Untranslatable(`filters.data "${filter.path}": comparator ${comparator} on strings`);
  } else if (type === "number") {
    const operator = { "=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=" }[String(comparator)];
    if (!operator) throw new Untranslatable(`filters.data "${filter.path}": comparator ${comparator}`);
    tests = values.map((/** @type {string} */ value) => {
      if (!Number.isFinite(Number(value)))
        throw new Untranslatable(`filters.data "${filter.path}": "${value}" is not a number`);
      return `$number(${path}) ${operator} ${Number(value)}`;
    });
  } else if (type === "bool") {
    tests = values.map((/** @type {string} */ value) => `${path} = ${value === "true"}`);
  } else throw new Untranslatable(`filters.data "${filter.path}": type ${type}`);
  return tests.length === 1 ? (tests[0] ?? "") : `(${tests.join(" or ")})`;
}

/**
 * A sensor dependency as a selector over hookline's event (the event source's event name is the
 * discriminator hookline receives it under).
 * @param {any} dependency
 * @param {string[]} notes
 */
function dependencySelector(dependency, notes) {
  const parts = [`discriminator = ${JSON.stringify(String(dependency.eventName ?? ""))}`];
  const filters = dependency.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (key !== "data")
      throw new Untranslatable(`dependency "${dependency.name}": filters.${key} is not translated (only filters.data)`);
  }
  const data = (filters.data ?? []).map(dataFilter);
  if (data.length > 0)
    parts.push(data.length === 1 ? data[0] : `(${data.join(filters.dataLogicalOperator === "or" ? " or " : " and ")})`);
  if (dependency.transform) throw new Untranslatable(`dependency "${dependency.name}": transform is not translated`);
  if (dependency.eventSourceName)
    notes.push(
      `dependency "${dependency.name}": send its ${dependency.eventSourceName} events to /api/v1/events/<namespace>/${dependency.eventName}`,
    );
  return parts.join(" and ");
}

/**
 * Argo Events' trigger conditions (`a && (b || c)`) as a JSONata condition over dependency names.
 * @param {string} conditions
 */
function conditionOf(conditions) {
  if (!/^[\sA-Za-z0-9_&|()]+$/.test(conditions))
    throw new Untranslatable(`conditions "${conditions}" is not translated`);
  return conditions.replace(/&&/g, " and ").replace(/\|\|/g, " or ").replace(/\s+/g, " ").trim();
}

/**
 * One sensor trigger as a binding.
 * @param {any} sensor
 * @param {any} trigger
 * @param {string[]} notes
 */
export function bindingOf(sensor, trigger, notes) {
  const template = trigger.template ?? {};
  const workflow = template.argoWorkflow;
  if (!workflow) throw new Untranslatable(`trigger "${template.name}": only argoWorkflow triggers are translated`);
  if ((workflow.operation ?? "submit") !== "submit")
    throw new Untranslatable(`trigger "${template.name}": operation ${workflow.operation} (only submit)`);
  const resource = workflow.source?.resource;
  if (!resource) throw new Untranslatable(`trigger "${template.name}": the workflow must be inline (source.resource)`);
  const templateRef = resource.spec?.workflowTemplateRef;
  if (!templateRef?.name)
    throw new Untranslatable(
      `trigger "${template.name}": the workflow must use workflowTemplateRef (hookline submits WorkflowTemplates)`,
    );
  const others = Object.keys(resource.spec ?? {}).filter((key) => key !== "workflowTemplateRef" && key !== "arguments");
  if (others.length > 0)
    notes.push(
      `trigger "${template.name}": spec.${others.join(", spec.")} not carried over (the template's own apply)`,
    );
  const dependencies = sensor.spec?.dependencies ?? [];
  const names = dependencies.map((/** @type {any} */ dependency) => String(dependency.name));
  const single = dependencies.length === 1;
  const declared = (resource.spec?.arguments?.parameters ?? []).map((/** @type {any} */ parameter) => parameter);
  /** @type {Array<{ name: string, value?: string, valueFrom?: { event: string } }>} */
  const parameters = declared
    .filter((/** @type {any} */ parameter) => parameter.value !== undefined)
    .map((/** @type {any} */ parameter) => ({ name: String(parameter.name), value: String(parameter.value) }));
  for (const parameter of [...(workflow.parameters ?? []), ...(trigger.parameters ?? [])]) {
    const match = /^spec\.arguments\.parameters\.(\d+)\.value$/.exec(String(parameter.dest ?? ""));
    const target = match ? declared[Number(match[1])] : undefined;
    if (!target)
      throw new Untranslatable(
        `trigger "${template.name}": parameter dest "${parameter.dest}" (only spec.arguments.parameters.N.value)`,
      );
    const src = parameter.src ?? {};
    if (!src.dataKey && src.value === undefined)
      throw new Untranslatable(
        `trigger "${template.name}": parameter from ${src.contextKey ? "contextKey" : src.dataTemplate ? "dataTemplate" : "this source"} is not translated`,
      );
    const dependency = String(src.dependencyName ?? "");
    if (!names.includes(dependency))
      throw new Untranslatable(`trigger "${template.name}": parameter from unknown dependency "${dependency}"`);
    const path = src.dataKey ? eventPath(String(src.dataKey)) : null;
    const expression =
      path === null
        ? JSON.stringify(String(src.value))
        : single
          ? path
          : path.replace(/^(payload|metadata)/, `events.${dependency}.$1`);
    const existing = parameters.findIndex((candidate) => candidate.name === target.name);
    const entry = { name: String(target.name), valueFrom: { event: expression } };
    if (existing >= 0) parameters[existing] = entry;
    else parameters.push(entry);
  }
  const submit = {
    workflowTemplateRef: {
      name: String(templateRef.name),
      ...(templateRef.clusterScope ? { clusterScope: true } : {}),
    },
    ...(parameters.length > 0 ? { arguments: { parameters } } : {}),
  };
  const spec = single
    ? { event: { selector: dependencySelector(dependencies[0], notes) }, submit }
    : {
        dependencies: dependencies.map((/** @type {any} */ dependency) => ({
          name: String(dependency.name),
          selector: dependencySelector(dependency, notes),
          key: '"sensor"',
        })),
        ...(template.conditions ? { condition: conditionOf(String(template.conditions)) } : {}),
        within: "24h",
        submit,
      };
  if (!single)
    notes.push(
      `trigger "${template.name}": Argo Events correlates dependencies by time only, so every dependency's key is the constant "sensor" and a partial match waits up to within: 24h; give each a key (e.g. payload.sha) to correlate by it`,
    );
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowEventBinding",
    metadata: { name: nameOf(`${sensor.metadata?.name ?? "sensor"}-${template.name ?? "trigger"}`) },
    spec,
  };
}

/**
 * @param {any} api
 * @param {{ files: string[], namespace: string | undefined, dryRun: boolean }} options
 */
export async function importArgoEvents(api, options) {
  const { documents, errors } = readSources(options.files);
  for (const error of errors) console.error(red(`error: ${error}`));
  let failed = errors.length;
  for (const { file, line, value: sensor } of documents) {
    if (sensor?.kind !== "Sensor") {
      console.error(yellow(`warning: ${file}:${line}: ${sensor?.kind ?? "a document"} is not a Sensor; skipped`));
      continue;
    }
    const namespace = options.namespace ?? sensor.metadata?.namespace ?? "default";
    for (const trigger of sensor.spec?.triggers ?? []) {
      /** @type {string[]} */
      const notes = [];
      let binding;
      try {
        binding = bindingOf(sensor, trigger, notes);
      } catch (error) {
        if (!(error instanceof Untranslatable)) throw error;
        console.error(
          red(`error: ${file}:${line}: sensor ${sensor.metadata?.name}: ${error.message}; trigger skipped`),
        );
        failed++;
        continue;
      }
      for (const note of notes) console.error(yellow(`note: ${note}`));
      const label = `workfloweventbinding/${binding.metadata.name} (namespace ${namespace})`;
      try {
        const response = await api.request(
          "PUT",
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/workfloweventbindings/${binding.metadata.name}${options.dryRun ? "?dryRun=All" : ""}`,
          { body: binding },
        );
        const action =
          response.headers.get("x-hookline-action") ?? (response.status === 201 ? "created" : "configured");
        console.log(`${label} ${colorStatus(action)}${options.dryRun ? " (server dry run)" : ""}`);
      } catch (error) {
        if (!(error instanceof ServerError)) throw error;
        console.error(red(`error: ${label}: ${error.message}`));
        failed++;
      }
    }
  }
  return failed > 0 ? 1 : 0;
}
