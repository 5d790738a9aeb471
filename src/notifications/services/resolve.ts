import { resolveHeaders } from "../../auth/sealed-headers";
import { resolveSecret } from "../../auth/secrets";
import type { StoredService } from "../schema";
import { LARK_API_URL } from "./lark";
import { SLACK_API_URL } from "./slack";
import type { ResolvedService } from "./types";

/** The record context a service's secret is sealed to. */
export const serviceSecretContext = (service: string, part: string) => `notification-service:${service}/${part}`;

/** Unseals a stored service: its URL (sealed, or a Worker secret an admin named), signing secret and headers. */
export async function resolveService(env: Env, service: StoredService): Promise<ResolvedService> {
  const context = (part: string) => serviceSecretContext(service.name, part);
  const tokenSealed = service.tokenSealed ?? null;
  const apiUrl = (service.apiUrl ?? (service.type === "lark" ? LARK_API_URL : SLACK_API_URL)).replace(/\/+$/, "");
  const larkApp =
    service.appId && service.appSecretSealed
      ? {
          appId: service.appId,
          appSecret: await resolveSecret(env, { sealed: service.appSecretSealed }, context("app-secret")),
          apiUrl,
        }
      : null;
  const url =
    tokenSealed !== null
      ? `${apiUrl}/chat.postMessage`
      : larkApp !== null
        ? `${apiUrl}/im/v1/messages`
        : service.urlSealed !== null
          ? await resolveSecret(env, { sealed: service.urlSealed }, context("url"))
          : await resolveSecret(env, { workerSecret: service.urlSecret ?? "" }, context("url"));
  const headers = new Headers(await resolveHeaders(env, service.headers, (header) => context(`header/${header}`)));
  return {
    name: service.name,
    type: service.type,
    url,
    secret:
      service.secretSealed === null
        ? null
        : await resolveSecret(env, { sealed: service.secretSealed }, context("secret")),
    method: service.method,
    headers,
    ratePerMinute: service.ratePerMinute,
    slackBot:
      tokenSealed === null
        ? null
        : {
            token: await resolveSecret(env, { sealed: tokenSealed }, context("token")),
            apiUrl,
            username: service.username ?? null,
            icon: service.icon ?? null,
          },
    larkApp,
  };
}
