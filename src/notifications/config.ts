import { compileField } from "../expressions/compile";
import type { CompiledExpression } from "../expressions/jsonata";
import { readVersions } from "../lib/config-versions";
import { log } from "../lib/log";
import { fail, ok, type Result } from "../lib/result";
import { hasTemplate } from "../lib/templates";
import { BUILT_IN_TRIGGERS, type TriggerDefinition } from "./catalog";
import type { StoredService, SubscriptionSpec, TriggerSpec } from "./schema";
import { getContext, listObjects, NOTIFICATIONS_SCOPE } from "./store";
import { type CompiledTemplate, compileTemplate, type TemplateSpec } from "./templates";
import { TRIGGER_ROOTS, triggerExprOptions } from "./trigger-language";

export interface CompiledCondition {
  index: number;
  when: CompiledExpression;
  oncePer: CompiledExpression | null;
  send: string[];
}

export interface CompiledSubscription {
  name: string;
  selector: CompiledExpression | null;
  triggers: string[];
  destinations: Array<{ service: string; recipients: string[] }>;
}

/** Everything fan-out needs, compiled once per configuration version and cached in the isolate. */
export interface NotificationConfig {
  version: number;
  services: Map<string, StoredService>;
  /** Stored (Go) templates; a name not here is one of hookline's built-in templates. */
  templates: Map<string, CompiledTemplate>;
  triggers: Map<string, CompiledCondition[]>;
  subscriptions: CompiledSubscription[];
  context: Record<string, string>;
}

/** Where a notification template's parts live among the compiled templates. */
export const templatePart = (template: string, part: "title" | "body" | "webhook") =>
  `@notifications/${template}/${part}`;

/** True when hookline ships a built-in notification template of that name (its title and body, compiled at build time). */
export function builtInTemplateExists(template: string): boolean {
  return hasTemplate(templatePart(template, "title")) && hasTemplate(templatePart(template, "body"));
}

/**
 * Compiles a trigger's conditions (translating Argo CD's expr first when the trigger is written
 * in it); returns the compiled conditions and translations, or a failure naming every problem.
 */
export function compileTrigger(
  spec: TriggerDefinition,
  /** Names of the stored templates (built-in ones are always known). */
  storedTemplates: ReadonlySet<string>,
): Result<{ conditions: CompiledCondition[]; translated: Record<string, string> }> {
  const errors: string[] = [];
  const conditions: CompiledCondition[] = [];
  const translated: Record<string, string> = {};
  spec.conditions.forEach((condition, index) => {
    const compile = (field: "when" | "oncePer", source: string) => {
      const path = `conditions[${index}].${field}`;
      const compiled = compileField(
        path,
        source,
        spec.expressionLanguage ?? "jsonata",
        TRIGGER_ROOTS,
        triggerExprOptions(field),
      );
      if (!compiled.ok) {
        errors.push(compiled.error.message);
        return null;
      }
      if (compiled.value.translated !== null) translated[path] = compiled.value.translated;
      return compiled.value.expression;
    };
    const when = compile("when", condition.when);
    const oncePer = condition.oncePer === undefined ? null : compile("oncePer", condition.oncePer);
    for (const template of condition.send) {
      if (!storedTemplates.has(template) && !builtInTemplateExists(template)) {
        errors.push(
          `conditions[${index}].send: template "${template}" does not exist (apply it first: PUT /api/v1/notifications/templates/${template})`,
        );
      }
    }
    if (when && (condition.oncePer === undefined || oncePer))
      conditions.push({ index, when, oncePer, send: condition.send });
  });
  return errors.length > 0 ? fail("invalid_argument", errors.join("; ")) : ok({ conditions, translated });
}

/** Compiles a subscription's selector. */
export function compileSubscription(name: string, spec: SubscriptionSpec): Result<CompiledSubscription> {
  let selector: CompiledExpression | null = null;
  if (spec.selector !== undefined) {
    const compiled = compileField("selector", spec.selector, "jsonata", TRIGGER_ROOTS);
    if (!compiled.ok) return compiled;
    selector = compiled.value.expression;
  }
  return ok({ name, selector, triggers: spec.triggers, destinations: spec.destinations });
}

let cached: NotificationConfig | null = null;

/** The notification configuration, reloaded only when its version changed. */
export async function loadNotificationConfig(
  db: D1Database,
  /** Statements to run first, in the same D1 round trip as reading the version. */
  alongside: readonly D1PreparedStatement[] = [],
): Promise<NotificationConfig> {
  const version = (await readVersions(db, [NOTIFICATIONS_SCOPE], alongside)).get(NOTIFICATIONS_SCOPE) ?? 0;
  if (cached && cached.version === version) return cached;
  const [services, templates, triggers, subscriptions, context] = await Promise.all([
    listObjects<StoredService>(db, "notification_services"),
    listObjects<TemplateSpec>(db, "notification_templates"),
    listObjects<TriggerSpec>(db, "notification_triggers"),
    listObjects<SubscriptionSpec>(db, "notification_subscriptions"),
    getContext(db),
  ]);
  const compiledTemplates = new Map<string, CompiledTemplate>();
  for (const { name, object } of templates) {
    const compiled = compileTemplate(name, object);
    if (compiled.ok) compiledTemplates.set(name, compiled.value);
    else
      log.error("a stored notification template does not compile", { template: name, problem: compiled.error.message });
  }
  const storedTemplateNames = new Set(compiledTemplates.keys());
  const compiledTriggers = new Map<string, CompiledCondition[]>();
  const all: Array<[string, TriggerDefinition]> = [
    ...Object.entries(BUILT_IN_TRIGGERS),
    ...triggers.map((t): [string, TriggerDefinition] => [t.name, t.object]),
  ];
  for (const [name, spec] of all) {
    const compiled = compileTrigger(spec, storedTemplateNames);
    if (compiled.ok) compiledTriggers.set(name, compiled.value.conditions);
    else log.error("a notification trigger does not compile", { trigger: name, problem: compiled.error.message });
  }
  cached = {
    version,
    services: new Map(services.map((s) => [s.name, s.object])),
    templates: compiledTemplates,
    triggers: compiledTriggers,
    subscriptions: subscriptions.flatMap(({ name, object }) => {
      const compiled = compileSubscription(name, object);
      if (!compiled.ok) {
        log.error("a notification subscription does not compile", {
          subscription: name,
          problem: compiled.error.message,
        });
        return [];
      }
      return [compiled.value];
    }),
    context,
  };
  return cached;
}
