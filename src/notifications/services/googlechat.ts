import { robot } from "./http";
import { toMrkdwn } from "./mrkdwn";

/** Google Chat incoming webhooks: the title in bold and the body in its mrkdwn-like format. */
export const googlechat = robot((service, _recipient, message) => ({
  url: service.url,
  body: JSON.stringify({ text: `*${message.title}*\n${toMrkdwn(message.body)}` }),
}));
