import { hasTemplate, renderTemplate } from "../lib/templates";
import { templatePart } from "./config";
import { escapeMarkdown, escaperFor, urlSegment } from "./escape";
import type { ServiceType } from "./schema";
import { type CompiledTemplate, type RenderedMessage, renderStoredTemplate } from "./templates";

export type { RenderedMessage } from "./templates";

export type ColorLevel = "success" | "info" | "warning" | "danger";

/**
 * How each service colours a word: DingTalk's <font> tags (as in its docs), bold elsewhere. The
 * word is escaped for the service (escape.ts): built-in templates colour users' values too.
 */
export function colorizer(serviceType: ServiceType): (text: unknown, level?: ColorLevel) => string {
  const paint = paintFor(serviceType);
  const inert = escaperFor(serviceType);
  return (text, level) => paint(inert(text), level);
}

function paintFor(serviceType: ServiceType): (text: string, level?: ColorLevel) => string {
  if (serviceType === "dingtalk") {
    const colors: Record<ColorLevel, string> = {
      success: "#52c41a",
      info: "#1677ff",
      warning: "warning",
      danger: "danger",
    };
    return (text, level = "info") => `<font color="${colors[level] ?? colors.info}">${text}</font>`;
  }
  if (serviceType === "wecom") {
    // WeCom's markdown has three font colours: info (green), comment (grey), warning (orange-red).
    const colors: Record<ColorLevel, string> = {
      success: "info",
      info: "comment",
      warning: "warning",
      danger: "warning",
    };
    return (text, level = "info") => `<font color="${colors[level] ?? colors.info}">${text}</font>`;
  }
  if (serviceType === "slack" || serviceType === "googlechat") return (text) => `*${text}*`;
  return (text) => `**${text}**`;
}

/** What a template is given for one destination. */
export interface Destination {
  resource: unknown;
  context: Record<string, string>;
  serviceType: ServiceType;
  recipient: string;
  serviceName: string;
}

/**
 * Renders a notification template for one destination: a stored template (Argo CD's Go
 * templates, data in D1) when one has the name, else hookline's built-in Eta template (title,
 * Markdown body, optional webhook body). Built-in templates place users' values through `text`
 * (escaped for the service's markup; titles with lookalikes only, as some services show them as
 * plain text) and `url` (one encoded path segment). Throws when a template fails to render.
 */
export function renderNotification(
  name: string,
  stored: CompiledTemplate | undefined,
  destination: Destination,
): RenderedMessage {
  if (stored) return renderStoredTemplate(stored, destination);
  const { resource, context, serviceType, recipient, serviceName } = destination;
  const data = {
    app: resource,
    resource,
    context,
    serviceType,
    recipient,
    color: colorizer(serviceType),
    text: escaperFor(serviceType),
    url: urlSegment,
  };
  let webhookBody: string | null = null;
  let webhookPath: string | null = null;
  if (serviceType === "webhook") {
    // A body written for this service by name, else the template's own.
    const named = `${templatePart(name, "webhook")}.${serviceName}`;
    const body = hasTemplate(named) ? named : templatePart(name, "webhook");
    if (hasTemplate(body)) webhookBody = renderTemplate(body, data);
    if (hasTemplate(`${named}.path`)) webhookPath = renderTemplate(`${named}.path`, data).trim();
  }
  return {
    title: renderTemplate(templatePart(name, "title"), { ...data, text: escapeMarkdown }).trim(),
    body: renderTemplate(templatePart(name, "body"), data).trim(),
    webhookBody,
    ...(webhookPath ? { webhookPath } : {}),
  };
}
