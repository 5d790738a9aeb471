import { z } from "zod";
import {
  compileGoTemplate,
  type ParsedTemplate,
  renderGoTemplate,
  TemplateExecError,
  TemplateSyntaxError,
} from "../expressions/gotemplate";
import { isDns1123Subdomain } from "../lib/names";
import { fail, ok, type Result } from "../lib/result";
import { argoCdTemplateVariables } from "./argocd-helpers";
import type { ServiceType } from "./schema";

/**
 * NotificationTemplate: an Argo CD notification template as data — the fields Argo CD's
 * services read, each a Go text/template (with sprig), parsed when the template is applied and
 * rendered at run time, so an import or an edit is live at once (no build, no redeploy).
 */

const MAX_TEMPLATE_LENGTH = 64 * 1024;
const text = z.string().max(MAX_TEMPLATE_LENGTH);
const webhookName = z.string().refine(isDns1123Subdomain, "must be a service name (DNS-1123 subdomain)");

export const templateInputSchema = z.strictObject({
  /** The message text (Markdown); every service sends it. */
  message: text.optional(),
  /** A title, for services that show one (hookline's own field; Argo CD's email.subject also serves). */
  title: text.optional(),
  email: z.strictObject({ subject: text.optional(), body: text.optional() }).optional(),
  slack: z
    .strictObject({
      /** A JSON array of attachments, after rendering. */
      attachments: text.optional(),
      /** A JSON array of Block Kit blocks, after rendering. */
      blocks: text.optional(),
      groupingKey: text.optional(),
      notifyBroadcast: z.boolean().optional(),
      deliveryPolicy: z.enum(["Post", "Update", "PostAndUpdate"]).optional(),
    })
    .optional(),
  teams: z
    .strictObject({
      title: text.optional(),
      text: text.optional(),
      summary: text.optional(),
      themeColor: text.optional(),
      /** JSON arrays, after rendering: [{name, value}], [{activityTitle, text, facts…}], [{"@type": "OpenUri", name, targets}]. */
      facts: text.optional(),
      sections: text.optional(),
      potentialAction: text.optional(),
    })
    .optional(),
  /** Per webhook service (by its name): the request Argo CD's webhook service sends. */
  webhook: z
    .record(
      webhookName,
      z.strictObject({
        method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).optional(),
        path: text.optional(),
        body: text.optional(),
      }),
    )
    .refine((value) => Object.keys(value).length <= 20, "at most 20 webhook services")
    .optional(),
});
export type TemplateSpec = z.output<typeof templateInputSchema>;

/** Every Go template in a spec, by its field path (`message`, `slack.attachments`, `webhook.github.body`). */
export function templateFields(spec: TemplateSpec): Array<[string, string]> {
  const fields: Array<[string, string | undefined]> = [
    ["message", spec.message],
    ["title", spec.title],
    ["email.subject", spec.email?.subject],
    ["email.body", spec.email?.body],
    ["slack.attachments", spec.slack?.attachments],
    ["slack.blocks", spec.slack?.blocks],
    ["slack.groupingKey", spec.slack?.groupingKey],
    ["teams.title", spec.teams?.title],
    ["teams.text", spec.teams?.text],
    ["teams.summary", spec.teams?.summary],
    ["teams.themeColor", spec.teams?.themeColor],
    ["teams.facts", spec.teams?.facts],
    ["teams.sections", spec.teams?.sections],
    ["teams.potentialAction", spec.teams?.potentialAction],
  ];
  for (const [service, hook] of Object.entries(spec.webhook ?? {})) {
    fields.push([`webhook.${service}.path`, hook.path], [`webhook.${service}.body`, hook.body]);
  }
  return fields.filter((field): field is [string, string] => field[1] !== undefined);
}

/** A template with every field parsed. */
export interface CompiledTemplate {
  name: string;
  spec: TemplateSpec;
  fields: Map<string, ParsedTemplate>;
}

/** Parses every field; a syntax error or an unknown function is a failure naming the field and line. */
export function compileTemplate(name: string, spec: TemplateSpec): Result<CompiledTemplate> {
  const fields = new Map<string, ParsedTemplate>();
  const errors: string[] = [];
  for (const [path, source] of templateFields(spec)) {
    try {
      fields.set(path, compileGoTemplate(source));
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      errors.push(`${path}: ${error.message}`);
    }
  }
  return errors.length > 0 ? fail("invalid_argument", errors.join("; ")) : ok({ name, spec, fields });
}

/** What a template rendered for one destination: the common text and the fields of the service's own type. */
export interface RenderedMessage {
  title: string;
  body: string;
  /** For webhook services: the body, path and method written for this service. */
  webhookBody: string | null;
  webhookPath?: string | null;
  webhookMethod?: string | null;
  slack?: {
    attachments?: unknown[];
    blocks?: unknown[];
    groupingKey?: string;
    notifyBroadcast?: boolean;
    deliveryPolicy?: "Post" | "Update" | "PostAndUpdate";
  };
  /**
   * An approval request the gate itself sends to a Slack or Lark app: Approve / Reject buttons
   * naming the gate and the gate's id for this message (never set on a subscription's delivery).
   */
  approval?: { gate: string; message: string; confirm: boolean };
  teams?: {
    themeColor?: string;
    summary?: string;
    facts?: unknown[];
    sections?: unknown[];
    potentialAction?: unknown[];
  };
}

/** What a template is rendered for: the resource, the context and the destination (its service's name and type, the recipient). */
export interface TemplateVariables {
  resource: unknown;
  context: Record<string, string>;
  /** Which of the template's fields the service sends (`slack.*`, `teams.*`, `webhook.<name>.*`). */
  serviceType: ServiceType;
  recipient: string;
  /** The service's name: templates see it as `serviceType` (a webhook service reads `webhook.<name>`). */
  serviceName: string;
}

/**
 * The variables Argo CD's templates see, as notifications-engine and Argo CD set them: `app`,
 * `context` (with `notificationType`, the service's name, unless the context sets it),
 * `serviceType` — the destination's service **name** (`service.slack` → `slack`,
 * `service.webhook.github` → `github`), not its type — `recipient`, and the helpers.
 */
export function argoCdTemplateData(variables: TemplateVariables): Record<string, unknown> {
  return argoCdTemplateVariables({
    app: variables.resource,
    context: { notificationType: variables.serviceName, ...variables.context },
    serviceType: variables.serviceName,
    recipient: variables.recipient,
  });
}

/** Renders the fields of a stored template that a destination of `serviceType` sends; throws with the field that failed. */
export function renderStoredTemplate(template: CompiledTemplate, variables: TemplateVariables): RenderedMessage {
  const data = argoCdTemplateData(variables);
  const render = (path: string): string | undefined => {
    const parsed = template.fields.get(path);
    if (!parsed) return undefined;
    try {
      return renderGoTemplate(parsed, data);
    } catch (error) {
      if (error instanceof TemplateExecError) throw new Error(`${path}: ${error.message}`);
      throw error;
    }
  };
  const jsonArray = (path: string): unknown[] | undefined => {
    const rendered = render(path);
    if (rendered === undefined || rendered.trim() === "") return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(rendered);
    } catch (error) {
      throw new Error(
        `${path} is not valid JSON after rendering: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!Array.isArray(parsed)) throw new Error(`${path} must render a JSON array`);
    return parsed;
  };
  const body = render("message") ?? "";
  const type = variables.serviceType;
  const title =
    (type === "teams" ? render("teams.title") : undefined) ??
    render("title") ??
    render("email.subject") ??
    template.name;
  // The message is sent as Go renders it (a `message: |` block ends in a newline in Argo CD too).
  const message: RenderedMessage = { title: title.trim(), body, webhookBody: null };
  if (type === "webhook") {
    const hook = Object.hasOwn(template.spec.webhook ?? {}, variables.serviceName)
      ? template.spec.webhook?.[variables.serviceName]
      : undefined;
    if (hook) {
      message.webhookBody = render(`webhook.${variables.serviceName}.body`) ?? "";
      const path = render(`webhook.${variables.serviceName}.path`);
      if (path !== undefined) message.webhookPath = path.trim();
      if (hook.method !== undefined) message.webhookMethod = hook.method;
    }
  }
  if (type === "slack") {
    // Argo CD's shape even without a slack section: the message as text.
    const slack: NonNullable<RenderedMessage["slack"]> = {};
    const attachments = jsonArray("slack.attachments");
    const blocks = jsonArray("slack.blocks");
    const groupingKey = render("slack.groupingKey")?.trim();
    if (attachments) slack.attachments = attachments;
    if (blocks) slack.blocks = blocks;
    if (groupingKey) slack.groupingKey = groupingKey;
    if (template.spec.slack?.notifyBroadcast !== undefined) slack.notifyBroadcast = template.spec.slack.notifyBroadcast;
    if (template.spec.slack?.deliveryPolicy !== undefined) slack.deliveryPolicy = template.spec.slack.deliveryPolicy;
    message.slack = slack;
  }
  if (type === "teams" && template.spec.teams) {
    const teams: NonNullable<RenderedMessage["teams"]> = {};
    const themeColor = render("teams.themeColor")?.trim();
    const summary = render("teams.summary")?.trim();
    const facts = jsonArray("teams.facts");
    const sections = jsonArray("teams.sections");
    const potentialAction = jsonArray("teams.potentialAction");
    if (themeColor) teams.themeColor = themeColor;
    if (summary) teams.summary = summary;
    if (facts) teams.facts = facts;
    if (sections) teams.sections = sections;
    if (potentialAction) teams.potentialAction = potentialAction;
    const teamsText = render("teams.text");
    if (teamsText !== undefined && teamsText.trim() !== "") message.body = teamsText;
    message.teams = teams;
  }
  return message;
}
