// @ts-check
// `hookline import argocd-notifications -f argocd-notifications-cm.yaml [-f argocd-notifications-secret.yaml]`:
// an Argo CD notifications ConfigMap, as it is, into hookline in one step: `service.*` →
// services, `template.*` → NotificationTemplates (Go templates kept as they are; the Worker
// renders them at run time), `trigger.*` → triggers (expr kept, translated by the server),
// `subscriptions` → subscriptions, `context` → the template context. `$name` references are
// read from the argocd-notifications-secret Secret when it is given too.
import { parse } from "yaml";
import { readSources, secretValues } from "./apply.mjs";
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
 * @param {{ files: string[], dryRun: boolean }} options
 */
export async function importArgoCdNotifications(api, options) {
  const { documents, errors } = readSources(options.files);
  if (errors.length > 0) throw new UsageError(errors.join("\n"));
  // Several ConfigMaps (e.g. Argo CD's catalog and your own services and subscriptions) are merged in order.
  const configMaps = documents.filter((document) => document.value?.kind === "ConfigMap" && document.value.data);
  if (configMaps.length === 0) throw new UsageError("no ConfigMap with data found (expected argocd-notifications-cm)");
  /** @type {Record<string, string>} */
  const data = Object.fromEntries(configMaps.flatMap((document) => Object.entries(document.value.data)));
  const secrets = secretValues(documents.find((document) => document.value?.kind === "Secret")?.value);
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
      else if (key.startsWith("service.")) importService(key, value(), { objects, serviceNames, warnings, secrets });
      else if (key.startsWith("template.")) {
        const name = key.slice("template.".length);
        objects.push({ kind: "NotificationTemplate", name, spec: templateSpec(name, value(), warnings) });
      } else if (key.startsWith("trigger.")) {
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
      } else if (key !== "subscriptions" && key !== "defaultTriggers") {
        warnings.push(`${key}: not a notifications setting hookline knows; skipped`);
      }
    } catch (error) {
      warnings.push(`${key}: ${error instanceof Error ? error.message : String(error)}; skipped`);
    }
  }
  if (data.defaultTriggers)
    warnings.push("defaultTriggers: hookline needs the trigger named in each subscription or annotation; skipped");

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

  for (const warning of warnings) console.error(yellow(`warning: ${warning}`));

  let failed = 0;
  const apply = async (/** @type {string} */ label, /** @type {string} */ path, /** @type {unknown} */ body) => {
    try {
      const response = await api.request("PUT", `${path}${options.dryRun ? "?dryRun=All" : ""}`, { body });
      const action = response.headers.get("x-hookline-action") ?? (response.status === 201 ? "created" : "configured");
      console.log(`${label} ${colorStatus(action)}${options.dryRun ? " (server dry run)" : ""}`);
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      console.error(red(`error: ${label}: ${error.message}`));
      failed++;
    }
  };
  if (context) await apply("context", "/api/v1/notifications/context", context);
  const paths = {
    NotificationService: "/api/v1/notifications/services",
    NotificationTemplate: "/api/v1/notifications/templates",
    NotificationTrigger: "/api/v1/notifications/triggers",
    NotificationSubscription: "/api/v1/notifications/subscriptions",
  };
  // Templates before the triggers that send them, triggers before the subscriptions that name them.
  const order = Object.keys(paths);
  objects.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const object of objects) {
    await apply(
      `${object.kind.toLowerCase()}/${object.name}`,
      `${paths[/** @type {keyof typeof paths} */ (object.kind)]}/${encodeURIComponent(object.name)}`,
      object.spec,
    );
  }
  return failed > 0 ? 1 : 0;
}

/** The services Argo CD templates have fields for that hookline's services do not read. */
const UNREAD_TEMPLATE_FIELDS = [
  "discord",
  "googlechat",
  "mattermost",
  "pagerduty",
  "pagerdutyv2",
  "opsgenie",
  "github",
  "gitlab",
  "alertmanager",
  "rocketchat",
  "telegram",
  "webex",
  "pushover",
  "newrelic",
  "grafana",
];

/**
 * An Argo CD template as a NotificationTemplate spec: the fields hookline's services read, kept
 * as they are (Go templates); webhook sections named as the services they belong to.
 * @param {string} name @param {any} template @param {string[]} warnings
 */
function templateSpec(name, template, warnings) {
  /** @type {Record<string, unknown>} */
  const spec = {};
  const pick = (/** @type {any} */ source, /** @type {string[]} */ keys) =>
    Object.fromEntries(keys.filter((key) => source?.[key] !== undefined).map((key) => [key, source[key]]));
  if (template.message !== undefined) spec.message = String(template.message);
  if (template.title !== undefined) spec.title = String(template.title);
  if (template.email) spec.email = pick(template.email, ["subject", "body"]);
  if (template.slack) {
    spec.slack = pick(template.slack, ["attachments", "blocks", "groupingKey", "notifyBroadcast", "deliveryPolicy"]);
  }
  if (template.teams) {
    spec.teams = pick(template.teams, [
      "title",
      "text",
      "summary",
      "themeColor",
      "facts",
      "sections",
      "potentialAction",
    ]);
  }
  if (template.webhook) {
    spec.webhook = Object.fromEntries(
      Object.entries(template.webhook).map(([service, hook]) => [
        nameOf(service),
        pick(hook, ["method", "path", "body"]),
      ]),
    );
  }
  for (const field of UNREAD_TEMPLATE_FIELDS) {
    if (template[field])
      warnings.push(`template.${name}: the ${field} fields are not kept (no ${field} service); the message is sent`);
  }
  return spec;
}

/**
 * @param {string} key @param {any} config
 * @param {{ objects: Array<{ kind: string, name: string, spec: unknown }>, serviceNames: Map<string, string>, warnings: string[], secrets: Map<string, string> }} into
 */
function importService(key, config, { objects, serviceNames, warnings, secrets }) {
  const [, type, customName] = /^service\.([a-z]+)(?:\.(.+))?$/.exec(key) ?? [];
  /** A `$name` reference's value from the given Secret, or null. */
  const secretOf = (/** @type {string} */ value) =>
    value.startsWith("$") ? (secrets.get(value.slice(1)) ?? null) : value;
  const urlOf = (/** @type {string} */ url) =>
    url.startsWith("$")
      ? secretOf(url) !== null
        ? { url: secretOf(url) }
        : { urlSecret: workerSecretFor(url) }
      : { url };
  if (type === "webhook") {
    const name = nameOf(customName ?? "webhook");
    const headers = [];
    for (const header of config.headers ?? []) {
      const value = String(header.value);
      if (value.startsWith("$")) {
        const resolved = secretOf(value);
        if (resolved === null) {
          warnings.push(
            `${key}: header ${header.name} refers to ${value}; pass argocd-notifications-secret with -f, or set a "secret" header on service ${name}`,
          );
          continue;
        }
        headers.push({ name: header.name, secret: resolved });
        continue;
      }
      headers.push({ name: header.name, value });
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
  if (type === "slack" && config.token) {
    // Argo CD's usual Slack setup: a bot token, messages posted to each recipient channel.
    const token = secretOf(String(config.token));
    const name = nameOf(customName ?? "slack");
    if (token === null) {
      warnings.push(
        `${key}: token ${config.token} is in argocd-notifications-secret; pass it with -f to import service ${name}`,
      );
      return;
    }
    objects.push({
      kind: "NotificationService",
      name,
      spec: {
        type: "slack",
        token,
        ...(config.apiURL ? { apiUrl: String(config.apiURL) } : {}),
        ...(config.username ? { username: String(config.username) } : {}),
        ...(config.icon ? { icon: String(config.icon) } : {}),
      },
    });
    serviceNames.set(customName ?? "slack", name);
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
