import { utf8 } from "../../lib/crypto";
import { errorCodeCheck, recipientsOf, robot } from "./http";

/** WeCom robots take markdown content of at most 4,096 bytes. */
const WECOM_MAX_BYTES = 4096;

/** `text` cut to at most `max` UTF-8 bytes, on a character boundary. */
function truncateUtf8(text: string, max: number): string {
  const bytes = utf8(text);
  if (bytes.length <= max) return text;
  let end = max - 3;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${new TextDecoder().decode(bytes.slice(0, end))}...`;
}

/** WeCom group robots: markdown of at most 4,096 bytes, people mentioned as `<@userid>`; `errcode` read like DingTalk's. */
export const wecom = robot((service, recipient, message) => {
  const mentions = recipientsOf(recipient)
    .map((person) => `<@${person}>`)
    .join(" ");
  const text = message.body;
  return {
    url: service.url,
    body: JSON.stringify({
      msgtype: "markdown",
      markdown: { content: truncateUtf8(mentions ? `${text}\n\n${mentions}` : text, WECOM_MAX_BYTES) },
    }),
  };
}, errorCodeCheck);
