import MarkdownIt from "markdown-it";

/**
 * Markdown for approval messages (mdMessage) and notification previews: raw HTML is disabled
 * (shown as text), only http(s) and mailto links are kept, and links open without referrer or
 * opener.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
markdown.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim());
const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index];
  token?.attrSet("rel", "nofollow noopener noreferrer");
  token?.attrSet("target", "_blank");
  return defaultLinkOpen(tokens, index, options, env, self);
};

/** Safe HTML for a Markdown text. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
