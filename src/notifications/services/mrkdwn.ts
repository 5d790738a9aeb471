/** Slack/Google Chat mrkdwn from Markdown: **bold** → *bold*, [text](url) → <url|text>, headings → bold. */
export function toMrkdwn(markdown: string): string {
  return markdown
    .replace(/^#{1,6}\s+(.*)$/gm, "*$1*")
    .replace(/\*\*(.+?)\*\*/g, "*$1*")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "<$2|$1>");
}
