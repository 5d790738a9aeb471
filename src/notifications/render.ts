import { hasTemplate, renderTemplate } from "../lib/templates";
import { templatePart } from "./config";
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
): RenderedMessage {
  const data = { app: resource, resource, context, serviceType, recipient, color: colorizer(serviceType) };
  const webhook = templatePart(template, "webhook");
  return {
    title: renderTemplate(templatePart(template, "title"), data).trim(),
    body: renderTemplate(templatePart(template, "body"), data).trim(),
    webhookBody: serviceType === "webhook" && hasTemplate(webhook) ? renderTemplate(webhook, data) : null,
  };
}
