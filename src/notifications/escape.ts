import type { ServiceType } from "./schema";

/**
 * What hookline's built-in templates do with a value a user supplied (a gate's context, an
 * event's fields, a resource's names and messages) before placing it in a chat message: make it
 * inert text in that chat's markup — no link, image, mention, heading or HTML tag of its own, and
 * no line break (it cannot start a block or a line that looks like hookline's). A stored Argo CD
 * template is the user's own markup and is not escaped.
 *
 * Slack takes `&`, `<` and `>` as HTML entities, as its "Formatting text for app surfaces"
 * documents (that alone disarms `<!channel>`, `<@U123>` and `<https://…|Approve>`). Its other
 * formatting characters have no escape, nor do those of the Markdown dialects of DingTalk,
 * WeCom, Teams, Discord, Google Chat and Lark cards (which differ in whether a backslash or an
 * entity is honoured): there each markup character becomes its full-width or mathematical
 * lookalike, which every client shows as the character and none parses. A URL's `://` gets a
 * zero-width space, so clients do not turn a bare URL into a link either.
 */

/** Markup characters and their inert lookalikes (U+FF00 full-width forms, and ∗ ∼ ˋ). */
const LOOKALIKES = new Map([
  ["*", "\u2217"],
  ["_", "\uFF3F"],
  ["~", "\u223C"],
  ["`", "\u02CB"],
  ["[", "\uFF3B"],
  ["]", "\uFF3D"],
  ["(", "\uFF08"],
  [")", "\uFF09"],
  ["#", "\uFF03"],
  ["<", "\uFF1C"],
  [">", "\uFF1E"],
  ["|", "\uFF5C"],
  ["@", "\uFF20"],
  ["&", "\uFF06"],
  ["!", "\uFF01"],
  ["\\", "\uFF3C"],
]);

const SLACK_ENTITIES = new Map([
  ["&", "&amp;"],
  ["<", "&lt;"],
  [">", "&gt;"],
]);

const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u0085]/g;
// Other control characters (a NUL, an escape sequence) have nothing to show.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const MARKDOWN = /[*_~`[\]()#<>|@&!\\]/g;
const SLACK = /[*_~`[\]()#|&<>@]/g;

/** Text as one line, without control characters, and with no URL scheme a client would link. */
function plain(value: unknown): string {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  return text.replace(LINE_BREAKS, " ").replace(CONTROLS, "").replace(/:\/\//g, ":\u200B//");
}

/** Markdown of DingTalk, WeCom, Teams, Discord, Google Chat, Lark cards (and a generic webhook's Markdown body). */
export function escapeMarkdown(value: unknown): string {
  return plain(value).replace(MARKDOWN, (c) => LOOKALIKES.get(c) ?? c);
}

/** Slack's mrkdwn: entities for its control characters, lookalikes for formatting (and for what hookline's Markdown→mrkdwn reads). */
export function escapeSlack(value: unknown): string {
  return plain(value).replace(SLACK, (c) => SLACK_ENTITIES.get(c) ?? LOOKALIKES.get(c) ?? c);
}

/** The escaper for values placed in a message for `serviceType`. */
export function escaperFor(serviceType: ServiceType): (value: unknown) => string {
  return serviceType === "slack" ? escapeSlack : escapeMarkdown;
}

/** A value as one path segment of a link hookline builds (every character that could end or break the link encoded). */
export function urlSegment(value: unknown): string {
  return encodeURIComponent(typeof value === "string" ? value : String(value ?? "")).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
