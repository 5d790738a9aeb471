import { z } from "zod";
import { headerInputSchema, type StoredHeader } from "../auth/sealed-headers";
import { SEALED, secretValueSchema, workerSecretNameSchema } from "../auth/secrets";
import { MAX_EXPRESSION_LENGTH } from "../expressions/jsonata";
import { isDns1123Subdomain } from "../lib/names";
import { outboundUrl } from "../lib/urls";

export const SERVICE_TYPES = [
  "webhook",
  "dingtalk",
  "wecom",
  "slack",
  "teams",
  "lark",
  "discord",
  "googlechat",
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** DingTalk and WeCom robots accept about 20 messages a minute; other services are not paced by default. */
export const DEFAULT_RATE_PER_MINUTE: ReadonlyMap<ServiceType, number> = new Map([
  ["dingtalk", 20],
  ["wecom", 20],
]);

const name = z.string().refine(isDns1123Subdomain, "must be a Kubernetes name (DNS-1123 subdomain)");
const expression = z.string().min(1).max(MAX_EXPRESSION_LENGTH);
const secureUrl = outboundUrl(4096);

/** A notification service as sent to the API (URLs and secrets are sealed before storing). */
export const serviceInputSchema = z
  .strictObject({
    type: z.enum(SERVICE_TYPES),
    /** A URL, or "(sealed)" to keep the stored one. */
    url: z.union([z.literal(SEALED), secureUrl]).optional(),
    urlSecret: workerSecretNameSchema.optional(),
    secret: secretValueSchema(1024).optional(),
    method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
    headers: z.array(headerInputSchema).max(20).default([]),
    ratePerMinute: z.number().int().min(1).max(10_000).optional(),
    /** Slack by bot token: chat.postMessage to each recipient channel (sealed; instead of an incoming-webhook url). */
    token: secretValueSchema(1024).optional(),
    /** Slack's Web API base, or Lark's Open API base (Lark international, tests). */
    apiUrl: secureUrl.optional(),
    /** Slack: the name and icon (an :emoji: or an image URL) messages are posted with. */
    username: z.string().min(1).max(80).optional(),
    icon: z.string().min(1).max(2048).optional(),
    /** Slack: the app's signing secret; approval requests then carry Approve / Reject buttons. */
    signingSecret: secretValueSchema(1024).optional(),
    /** Lark/Feishu by app (instead of a robot url): cards go to each recipient chat (`oc_…`). */
    appId: z
      .string()
      .regex(/^cli_[A-Za-z0-9]{4,64}$/, 'must be a Lark app id ("cli_…")')
      .optional(),
    appSecret: secretValueSchema(1024).optional(),
    /** Lark app: verifies card callbacks (and, with `encryptKey`, decrypts and signs them). */
    verificationToken: secretValueSchema(1024).optional(),
    encryptKey: secretValueSchema(1024).optional(),
  })
  .refine(
    (s) => [s.url, s.urlSecret, s.token, s.appId].filter((value) => value !== undefined).length === 1,
    "set exactly one of url, urlSecret, (slack) token or (lark) appId",
  )
  .refine(
    (s) =>
      s.type === "lark" ||
      (s.appId === undefined &&
        s.appSecret === undefined &&
        s.verificationToken === undefined &&
        s.encryptKey === undefined),
    "appId, appSecret, verificationToken and encryptKey are lark settings",
  )
  .refine((s) => (s.appId === undefined) === (s.appSecret === undefined), "a Lark app needs both appId and appSecret")
  .refine(
    (s) => s.verificationToken === undefined || s.appId !== undefined,
    "card callbacks (verificationToken) need a Lark app (appId): robots cannot receive them",
  )
  .refine(
    (s) =>
      s.type === "slack" ||
      (s.token === undefined &&
        (s.apiUrl === undefined || s.type === "lark") &&
        s.username === undefined &&
        s.icon === undefined &&
        s.signingSecret === undefined),
    "token, username, icon and signingSecret are slack settings (apiUrl: slack or lark)",
  )
  .refine(
    (s) => s.secret === undefined || s.type === "dingtalk" || s.type === "lark",
    "secret (signing) is used by dingtalk and lark only",
  );

export type ServiceInput = z.output<typeof serviceInputSchema>;

export interface StoredService {
  name: string;
  type: ServiceType;
  urlSealed: string | null;
  urlSecret: string | null;
  secretSealed: string | null;
  method: "POST" | "PUT" | "PATCH";
  headers: StoredHeader[];
  ratePerMinute: number | null;
  /** Slack bot token (sealed); services stored before bot tokens existed have none. */
  tokenSealed?: string | null;
  apiUrl?: string | null;
  username?: string | null;
  icon?: string | null;
  /** Slack: the app's signing secret (sealed), verifying button clicks. */
  signingSecretSealed?: string | null;
  /** Lark app: its id, secret, callback verification token and encrypt key (sealed). */
  appId?: string | null;
  appSecretSealed?: string | null;
  verificationTokenSealed?: string | null;
  encryptKeySealed?: string | null;
  /**
   * True when an admin set what the service verifies and where it sends (URL, tokens, secrets,
   * apiUrl) — only such a service carries approval decisions (src/approvals/channels.ts).
   */
  adminConfigured?: boolean;
  /** Keyed fingerprint of those fields, to tell whether an apply changes them (src/auth/fingerprint.ts). */
  decisionFingerprint?: string;
  updatedAt: string;
}

const conditionSchema = z.strictObject({
  description: z.string().max(1024).optional(),
  when: expression,
  oncePer: expression.optional(),
  send: z.array(name).min(1).max(20),
});

/** A trigger: conditions over the resource (`app`), each with the templates it sends. */
export const triggerInputSchema = z.strictObject({
  /** `expr` (Argo CD's own language) is translated to JSONata when the trigger is applied. */
  expressionLanguage: z.enum(["jsonata", "expr"]).default("jsonata"),
  conditions: z.array(conditionSchema).min(1).max(20),
});
export type TriggerSpec = z.output<typeof triggerInputSchema>;

/** A subscription: which resources (JSONata selector), which triggers, to which destinations. */
export const subscriptionInputSchema = z.strictObject({
  selector: expression.optional(),
  triggers: z.array(name).min(1).max(50),
  destinations: z
    .array(z.strictObject({ service: name, recipients: z.array(z.string().max(256)).max(50).default([""]) }))
    .min(1)
    .max(50),
});
export type SubscriptionSpec = z.output<typeof subscriptionInputSchema>;

export const contextSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(2048))
  .refine((value) => Object.keys(value).length <= 50, "at most 50 values");
