import type { Result } from "../../lib/result";
import type { RenderedMessage } from "../render";
import type { ServiceType } from "../schema";
import type { SlackThreads } from "../store";

/** A service with its URL, signing secret and headers unsealed, ready to send. */
export interface ResolvedService {
  name: string;
  type: ServiceType;
  url: string;
  secret: string | null;
  method: "POST" | "PUT" | "PATCH";
  headers: Headers;
  ratePerMinute: number | null;
  /** A Slack service posting with a bot token (chat.postMessage to each recipient channel). */
  slackBot: { token: string; apiUrl: string; username: string | null; icon: string | null } | null;
  /** A Lark service sending as an app (im/v1/messages to each recipient chat). */
  larkApp: { appId: string; appSecret: string; apiUrl: string } | null;
}

/** A message a service took: its own id for it when it answers one (Slack's `ts`, Lark's `message_id`). */
export interface SentMessage {
  serviceMessageId: string | null;
}

/** What a message is about, for services that send it along (generic webhooks). */
export interface MessageContext {
  trigger: string;
  template: string;
  resource: string;
}

export interface SendOptions {
  now: number;
  /** Where a Slack bot keeps the first message of each thread (Argo CD's `groupingKey`). */
  threads?: SlackThreads | undefined;
}

/**
 * One chat service (notifications-engine's `pkg/services/<service>.go`): how a message to one
 * recipient is sent, and how the service's answer says yes or no. Every service file implements
 * this, and `sendNotification` (services/index.ts) is the one way a message goes out.
 */
export interface ChatService {
  send(
    service: ResolvedService,
    recipient: string,
    message: RenderedMessage,
    context: MessageContext,
    options: SendOptions,
  ): Promise<Result<SentMessage>>;
}
