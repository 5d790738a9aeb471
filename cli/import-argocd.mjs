// @ts-check
// `hookline import argocd-notifications -f argocd-notifications-cm.yaml`: an Argo CD
// notifications ConfigMap, as it is, into hookline: `service.*` → services, `template.*` → Eta
// templates written under templates/notifications/ (Go templates translated; they compile when
// the Worker is built), `trigger.*` → triggers (expr kept, translated by the server),
// `subscriptions` → subscriptions, `context` → the template context.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { readSources } from "./apply.mjs";
import { translateGoTemplate } from "./gotemplate.mjs";
import { ServerError, UsageError } from "./http.mjs";
import { colorStatus, red, yellow } from "./output.mjs";

const nameOf = (/** @type {string} */ text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 63);

/** An Argo CD secret reference (`$slack-token`) → the Worker secret hookline reads instead. */
const workerSecretFor = (/** @type {string} */ reference) =>
  `NOTIFY_${reference
    .slice(1)
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")}`;

/**
 * Argo CD's label selector (`team=web,env!=dev,tier in (a,b),!legacy`) as a JSONata condition
 * over `app.metadata.labels`.
 * @param {string} selector
 */
export function labelSelectorToJsonata(selector) {
  const parts = selector.match(/(?:[^,(]|\([^)]*\))+/g) ?? [];
  const label = (/** @type {string} */ key) => `app.metadata.labels.\`${key}\``;
  /** @type {Array<[RegExp, (match: RegExpExecArray) => string]>} */
  const forms = [
    [
      /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/,
      (m) => {
        const test = `${label(m[1] ?? "")} = ${JSON.stringify(m[3])}`;
        return m[2] === "!=" ? `$not(${test})` : test;
      },
    ],
    [
      /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/,
      (m) => {
        const values = (m[3] ?? "").split(",").map((value) => JSON.stringify(value.trim()));
        const test = `${label(m[1] ?? "")} in [${values.join(", ")}]`;
        return m[2] === "notin" ? `$not(${test})` : test;
      },
    ],
    [/^!([\w./-]+)$/, (m) => `$not($exists(${label(m[1] ?? "")}))`],
    [/^([\w./-]+)$/, (m) => `$exists(${label(m[1] ?? "")})`],
  ];
  const conditions = parts.map((raw) => {
    const part = raw.trim();
    for (const [pattern, write] of forms) {
      const match = pattern.exec(part);
      if (match) return write(match);
    }
    throw new Error(`label selector "${selector}" is not understood (at "${part}")`);
  });
  return conditions.length === 0 ? "true" : conditions.join(" and ");
}

/**
 * @param {ReturnType<typeof import("./http.mjs").client>} api
 * @param {{ files: string[], templatesDir: string, dryRun: boolean }} options
 */
export async function importArgoCdNotifications(api, options) {
  const { documents, errors } = readSources(options.files);
  if (errors.length > 0) throw new UsageError(errors.join("\n"));
  const configMap = documents.find((document) => document.value?.kind === "ConfigMap")?.value;
  if (!configMap?.data) throw new UsageError("no ConfigMap with data found (expected argocd-notifications-cm)");
  /** @type {Record<string, string>} */
  const data = configMap.data;
  /** @type {string[]} */
  const warnings = [];
  /** @type {Array<{ kind: string, name: string, spec: unknown }>} */
  const objects = [];
  /** @type {Map<string, string>} Argo CD service name (and teams recipient) → hookline service */
  const serviceNames = new Map();
  let context = null;

  for (const [key, raw] of Object.entries(data)) {
    const value = () => parse(raw);
    try {
      if (key === "context") context = value();
      else if (key.startsWith("service.")) importService(key, value(), objects, serviceNames, warnings);
      else if (key.startsWith("trigger.")) {
        const name = key.slice("trigger.".length);
        const conditions = /** @type {any[]} */ (value()).map((condition) => ({
          ...(condition.description ? { description: String(condition.description) } : {}),
          when: String(condition.when)
            .replace(/\s*\n\s*/g, " ")
            .trim(),
          ...(condition.oncePer ? { oncePer: String(condition.oncePer) } : {}),
          send: condition.send,
        }));
        objects.push({ kind: "NotificationTrigger", name, spec: { expressionLanguage: "expr", conditions } });
      } else if (!key.startsWith("template.") && key !== "subscriptions" && key !== "defaultTriggers") {
        warnings.push(`${key}: not a notifications setting hookline knows; skipped`);
      }
    } catch (error) {
      warnings.push(`${key}: ${error instanceof Error ? error.message : String(error)}; skipped`);
    }
  }
  if (data.defaultTriggers)
    warnings.push("defaultTriggers: hookline needs the trigger named in each subscription or annotation; skipped");

  // Templates: written as Eta files, compiled into the Worker when it is built.
  const written = [];
  for (const [key, raw] of Object.entries(data)) {
    if (!key.startsWith("template.")) continue;
    const name = key.slice("template.".length);
    try {
      const files = templateFiles(name, parse(raw), warnings);
      const dir = join(options.templatesDir, name);
      if (existsSync(dir)) warnings.push(`template.${name}: replaces the template already in ${dir}`);
      if (!options.dryRun) {
        mkdirSync(dir, { recursive: true });
        for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      }
      written.push(`${dir}/ (${Object.keys(files).join(", ")})`);
    } catch (error) {
      warnings.push(`${key}: ${error instanceof Error ? error.message : String(error)}; skipped`);
    }
  }

  if (data.subscriptions) {
    /** @type {any[]} */
    const subscriptions = parse(data.subscriptions) ?? [];
    subscriptions.forEach((subscription, index) => {
      const destinations = /** @type {Array<{ service: string, recipients: string[] }>} */ ([]);
      for (const recipient of subscription.recipients ?? []) {
        const [service, target = ""] = String(recipient).split(/:(.*)/s);
        const hooklineService =
          serviceNames.get(`${service}:${target}`) ?? serviceNames.get(service ?? "") ?? service ?? "";
        const found = destinations.find((destination) => destination.service === hooklineService);
        const recipients = serviceNames.has(`${service}:${target}`) ? [""] : [target];
        if (found) found.recipients.push(...recipients);
        else destinations.push({ service: hooklineService, recipients });
      }
      try {
        objects.push({
          kind: "NotificationSubscription",
          name: `argocd-${index + 1}`,
          spec: {
            ...(subscription.selector ? { selector: labelSelectorToJsonata(String(subscription.selector)) } : {}),
            triggers: subscription.triggers ?? [],
            destinations,
          },
        });
      } catch (error) {
        warnings.push(`subscriptions[${index}]: ${error instanceof Error ? error.message : String(error)}; skipped`);
      }
    });
  }

  for (const line of written) console.log(`template ${line} ${options.dryRun ? "would be written" : "written"}`);
  for (const warning of warnings) console.error(yellow(`warning: ${warning}`));

  let failed = 0;
  /** @type {string[]} */
  const waitingForDeploy = [];
  const apply = async (/** @type {string} */ label, /** @type {string} */ path, /** @type {unknown} */ body) => {
    try {
      const response = await api.request("PUT", `${path}${options.dryRun ? "?dryRun=All" : ""}`, { body });
      const action = response.headers.get("x-hookline-action") ?? (response.status === 201 ? "created" : "configured");
      console.log(`${label} ${colorStatus(action)}${options.dryRun ? " (server dry run)" : ""}`);
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      if (/template ".*" does not exist/.test(error.message)) waitingForDeploy.push(label);
      else {
        console.error(red(`error: ${label}: ${error.message}`));
        failed++;
      }
    }
  };
  if (context) await apply("context", "/api/v1/notifications/context", context);
  const paths = {
    NotificationService: "/api/v1/notifications/services",
    NotificationTrigger: "/api/v1/notifications/triggers",
    NotificationSubscription: "/api/v1/notifications/subscriptions",
  };
  for (const object of objects) {
    await apply(
      `${object.kind.toLowerCase()}/${object.name}`,
      `${paths[/** @type {keyof typeof paths} */ (object.kind)]}/${encodeURIComponent(object.name)}`,
      object.spec,
    );
  }
  if (waitingForDeploy.length > 0 || written.length > 0) {
    console.log(
      `\nThe templates are compiled into the Worker when it is built: deploy it (npm run deploy, or restart npm start)${
        waitingForDeploy.length > 0 ? `, then run this import again to apply ${waitingForDeploy.join(", ")}` : ""
      }.`,
    );
  }
  return failed > 0 ? 1 : 0;
}

/** @returns {Record<string, string>} file name → Eta source */
function templateFiles(/** @type {string} */ name, /** @type {any} */ template, /** @type {string[]} */ warnings) {
  /** @type {Record<string, string>} */
  const files = {};
  const title = template.title ?? template.email?.subject ?? template.teams?.title ?? name;
  files["title.eta"] = translateGoTemplate(String(title));
  files["body.eta"] = translateGoTemplate(String(template.message ?? ""));
  for (const [service, webhook] of Object.entries(template.webhook ?? {})) {
    const hook = /** @type {{ body?: string, path?: string, method?: string }} */ (webhook);
    files[`webhook.${nameOf(service)}.eta`] = translateGoTemplate(String(hook.body ?? ""));
    if (hook.path) files[`webhook.${nameOf(service)}.path.eta`] = translateGoTemplate(String(hook.path));
    if (hook.method && hook.method.toUpperCase() !== "POST") {
      warnings.push(
        `template.${name}: webhook.${service}.method ${hook.method} — set "method" on the ${service} service`,
      );
    }
  }
  for (const field of [
    "slack",
    "teams",
    "email",
    "discord",
    "googlechat",
    "pagerduty",
    "opsgenie",
    "github",
    "alertmanager",
  ]) {
    if (template[field] && field !== "email" && field !== "teams") {
      warnings.push(`template.${name}: the ${field} fields are not imported; the service sends the title and message`);
    }
  }
  return files;
}

function importService(
  /** @type {string} */ key,
  /** @type {any} */ config,
  /** @type {Array<{ kind: string, name: string, spec: unknown }>} */ objects,
  /** @type {Map<string, string>} */ serviceNames,
  /** @type {string[]} */ warnings,
) {
  const [, type, customName] = /^service\.([a-z]+)(?:\.(.+))?$/.exec(key) ?? [];
  const urlOf = (/** @type {string} */ url) => (url.startsWith("$") ? { urlSecret: workerSecretFor(url) } : { url });
  if (type === "webhook") {
    const name = nameOf(customName ?? "webhook");
    const headers = [];
    for (const header of config.headers ?? []) {
      if (String(header.value).includes("$")) {
        warnings.push(
          `${key}: header ${header.name} refers to an Argo CD secret; set it with a "secret" header on service ${name}`,
        );
        continue;
      }
      headers.push({ name: header.name, value: String(header.value) });
    }
    if (config.basicAuth)
      warnings.push(`${key}: basicAuth is not imported; add an Authorization header to service ${name}`);
    objects.push({
      kind: "NotificationService",
      name,
      spec: { type: "webhook", ...urlOf(String(config.url)), headers },
    });
    serviceNames.set(customName ?? "webhook", name);
    return;
  }
  if (type === "teams" && config.recipientUrls) {
    for (const [recipient, url] of Object.entries(config.recipientUrls)) {
      const name = nameOf(`teams-${recipient}`);
      objects.push({ kind: "NotificationService", name, spec: { type: "teams", ...urlOf(String(url)) } });
      serviceNames.set(`teams:${recipient}`, name);
    }
    return;
  }
  if (
    (type === "slack" || type === "googlechat" || type === "discord") &&
    (config.url || config.webhookUrl || config.webhooks)
  ) {
    const url = config.url ?? config.webhookUrl;
    if (url) {
      objects.push({
        kind: "NotificationService",
        name: nameOf(customName ?? type),
        spec: { type, ...urlOf(String(url)) },
      });
      serviceNames.set(customName ?? type, nameOf(customName ?? type));
      return;
    }
    for (const [recipient, hook] of Object.entries(config.webhooks ?? {})) {
      const name = nameOf(`${type}-${recipient}`);
      objects.push({ kind: "NotificationService", name, spec: { type, ...urlOf(String(hook)) } });
      serviceNames.set(`${type}:${recipient}`, name);
    }
    return;
  }
  warnings.push(
    `${key}: the ${type} service (${Object.keys(config ?? {}).join(", ")}) cannot be imported; create a hookline service with an incoming-webhook URL`,
  );
}
