import { hasTemplate, renderTemplate } from "../lib/templates";
import { templatePart } from "./config";
import { GO_HELPERS } from "./go-helpers";
import type { ServiceType } from "./schema";

export type ColorLevel = "success" | "info" | "warning" | "danger";

/** How each service colours a word: DingTalk's <font> tags (as in its docs), bold elsewhere. */
export function colorizer(serviceType: ServiceType): (text: unknown, level?: ColorLevel) => string {
  if (serviceType === "dingtalk") {
    const colors: Record<ColorLevel, string> = {
      success: "#52c41a",
      info: "#1677ff",
      warning: "warning",
      danger: "danger",
    };
    return (text, level = "info") => `<font color="${colors[level] ?? colors.info}">${String(text)}</font>`;
  }
  if (serviceType === "slack" || serviceType === "googlechat") return (text) => `*${String(text)}*`;
  return (text) => `**${String(text)}**`;
}

export interface RenderedMessage {
  title: string;
  body: string;
  /** For webhook services: the template's webhook body, when it has one. */
  webhookBody: string | null;
  /** For webhook services: a path appended to the service URL (Argo CD's `webhook.<service>.path`). */
  webhookPath?: string | null;
}

/**
 * Renders a notification template (title, Markdown body, optional webhook body) for one
 * destination. Templates see `app` (the resource), `context`, `serviceType` and `recipient`.
 */
export function renderNotification(
  template: string,
  resource: unknown,
  context: Record<string, string>,
  serviceType: ServiceType,
  recipient: string,
  serviceName = "",
): RenderedMessage {
  const data = {
    app: resource,
    resource,
    context,
    serviceType,
    recipient,
    color: colorizer(serviceType),
    go: GO_HELPERS,
  };
  let webhookBody: string | null = null;
  let webhookPath: string | null = null;
  if (serviceType === "webhook") {
    // A body written for this service by name (imported `webhook.<service>.body`), else the template's own.
    const named = `${templatePart(template, "webhook")}.${serviceName}`;
    const body = hasTemplate(named) ? named : templatePart(template, "webhook");
    if (hasTemplate(body)) webhookBody = renderTemplate(body, data);
    if (hasTemplate(`${named}.path`)) webhookPath = renderTemplate(`${named}.path`, data).trim();
  }
  return {
    title: renderTemplate(templatePart(template, "title"), data).trim(),
    body: renderTemplate(templatePart(template, "body"), data).trim(),
    webhookBody,
    ...(webhookPath ? { webhookPath } : {}),
  };
}
