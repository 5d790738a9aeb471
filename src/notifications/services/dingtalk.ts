import { hmacSha256 } from "../../lib/crypto";
import { errorCodeCheck, recipientsOf, robot } from "./http";

/** DingTalk's "Additional Signature": HMAC-SHA256(secret, `${timestamp}\n${secret}`), base64, URL-encoded. */
export async function dingtalkSign(secret: string, timestampMs: number): Promise<string> {
  const mac = await hmacSha256(secret, `${timestampMs}\n${secret}`);
  return encodeURIComponent(btoa(String.fromCharCode(...mac)));
}

/**
 * DingTalk group robots: markdown, signed with `timestamp` + `sign` when the robot has a secret,
 * the recipient's mobiles mentioned (`@138…`); a non-zero `errcode` is a refusal.
 */
export const dingtalk = robot(async (service, recipient, message, _context, { now }) => {
  let url = service.url;
  if (service.secret) {
    url += `${url.includes("?") ? "&" : "?"}timestamp=${now}&sign=${await dingtalkSign(service.secret, now)}`;
  }
  const mobiles = recipientsOf(recipient);
  const text = message.body;
  return {
    url,
    body: JSON.stringify({
      msgtype: "markdown",
      markdown: {
        title: message.title,
        text: mobiles.length > 0 ? `${text}\n\n${mobiles.map((m) => `@${m}`).join(" ")}` : text,
      },
      at: { atMobiles: mobiles, isAtAll: false },
    }),
  };
}, errorCodeCheck);
