import { robot } from "./http";

/** Discord webhooks: one embed, title and description cut to Discord's limits. */
export const discord = robot((service, _recipient, message) => ({
  url: service.url,
  body: JSON.stringify({ embeds: [{ title: message.title.slice(0, 256), description: message.body.slice(0, 4096) }] }),
}));
