import { robot } from "./http";

/**
 * Any webhook: the template's `webhook.<service>` body, path and method (Argo CD's), else a JSON
 * summary of the message; no body for a GET.
 */
export const webhook = robot((service, recipient, message, context) => {
  const method = message.webhookMethod ?? service.method;
  return {
    url: message.webhookPath
      ? `${service.url.replace(/\/+$/, "")}/${message.webhookPath.replace(/^\/+/, "")}`
      : service.url,
    method,
    body:
      method === "GET"
        ? undefined
        : (message.webhookBody ??
          JSON.stringify({
            title: message.title,
            body: message.body,
            recipient,
            trigger: context.trigger,
            template: context.template,
            resource: context.resource,
          })),
  };
});
