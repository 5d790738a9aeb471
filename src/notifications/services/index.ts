import type { Result } from "../../lib/result";
import type { RenderedMessage } from "../render";
import type { ServiceType } from "../schema";
import type { SlackThreads } from "../store";
import { dingtalk } from "./dingtalk";
import { discord } from "./discord";
import { googlechat } from "./googlechat";
import { lark } from "./lark";
import { slack } from "./slack";
import { teams } from "./teams";
import type { ChatService, MessageContext, ResolvedService, SentMessage } from "./types";
import { webhook } from "./webhook";
import { wecom } from "./wecom";

/** Every chat service hookline sends to, one module each behind one interface. */
const SERVICES: Readonly<Record<ServiceType, ChatService>> = {
  dingtalk,
  wecom,
  slack,
  teams,
  lark,
  discord,
  googlechat,
  webhook,
};

/**
 * Sends one message and reads the answer the way each service reports success: DingTalk and
 * Lark answer 200 with a non-zero error code on failure, Slack 200 "ok" (its Web API
 * `{ok: true}`), Discord 204, others 2xx. 5xx, 429 and network errors are retryable; other
 * refusals fail the delivery.
 */
export function sendNotification(
  service: ResolvedService,
  recipient: string,
  message: RenderedMessage,
  context: MessageContext,
  options: { now?: number; threads?: SlackThreads } = {},
): Promise<Result<SentMessage>> {
  return SERVICES[service.type].send(service, recipient, message, context, {
    now: options.now ?? Date.now(),
    threads: options.threads,
  });
}
