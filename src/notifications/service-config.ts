import { z } from "zod";
import { policiesDecidingThrough } from "../approvals/channels";
import { fingerprint } from "../auth/fingerprint";
import type { Keyring } from "../auth/keys";
import { type Destination, restoreHeaders, restoreValue, storedValueIfReadable } from "../auth/placeholders";
import { isGatewayAdmin, type Principal } from "../auth/principal";
import { describeHeaders, sealHeaders, workerSecretFields } from "../auth/sealed-headers";
import { SecretBox } from "../auth/secret-box";
import { authorizeWorkerSecretNames, SEALED } from "../auth/secrets";
import { specOf } from "../lib/documents";
import { AppError } from "../lib/errors";
import { parseWith } from "../lib/validation";
import { SERVICE_TYPES, type StoredService, serviceInputSchema } from "./schema";
import { serviceSecretContext } from "./services/resolve";

/**
 * Notification services as stored: their URLs, tokens and secrets sealed (`(sealed)` keeps a
 * stored one only while it would still go where it went), and whether an admin set what they
 * verify and where they send — only such a service carries approval decisions.
 */

/** Builds the stored service of an apply, and the validated input it came from (what "unchanged" compares). */
export async function sealService(
  principal: Principal,
  name: string,
  body: unknown,
  keyring: () => Keyring,
  db: D1Database,
  previous: StoredService | null,
): Promise<{ object: StoredService; input: unknown }> {
  const parsed = parseWith(serviceInputSchema, specOf(body, name));
  // "(sealed)" keeps what is stored — while the messages still go where they went (URL, Worker
  // secret or Slack API): a kept secret must never follow a new URL.
  const restore = (
    value: string | undefined,
    sealed: string | null | undefined,
    part: string,
    destination?: Destination,
  ) => restoreValue(keyring(), value, sealed, serviceSecretContext(name, part), part, destination);
  const url = await restore(parsed.url, previous?.urlSealed, "url");
  // A stored URL that no longer decrypts (a key replaced without a reseal) compares unequal:
  // the request can still replace it, and a "(sealed)" secret cannot follow it (409 names that one).
  const previousUrl = previous?.urlSealed
    ? await storedValueIfReadable(keyring(), previous.urlSealed, serviceSecretContext(name, "url"))
    : undefined;
  const destination: Destination = {
    unchanged:
      previous !== null &&
      previousUrl !== null &&
      url === previousUrl &&
      (parsed.urlSecret ?? null) === previous.urlSecret &&
      (parsed.apiUrl ?? null) === (previous.apiUrl ?? null),
    field: "url (or urlSecret, apiUrl)",
  };
  const input = {
    ...parsed,
    url,
    secret: await restore(parsed.secret, previous?.secretSealed, "secret", destination),
    token: await restore(parsed.token, previous?.tokenSealed, "token", destination),
    // Verifies what comes in from Slack; it is never sent anywhere, so it may stay with a new URL.
    signingSecret: await restore(parsed.signingSecret, previous?.signingSecretSealed, "signing-secret"),
    // A Lark app's secret goes to its Open API: kept only while the app and the API stay the same.
    appSecret: await restore(parsed.appSecret, previous?.appSecretSealed, "app-secret", {
      unchanged: previous !== null && (parsed.appId ?? null) === (previous.appId ?? null) && destination.unchanged,
      field: "appId (or apiUrl)",
    }),
    verificationToken: await restore(parsed.verificationToken, previous?.verificationTokenSealed, "verification-token"),
    encryptKey: await restore(parsed.encryptKey, previous?.encryptKeySealed, "encrypt-key"),
    headers: await restoreHeaders(
      keyring(),
      parsed.headers,
      previous?.headers,
      (header) => serviceSecretContext(name, `header/${header}`),
      "headers",
      destination,
    ),
  };
  authorizeWorkerSecretNames(principal, [
    ...(input.urlSecret === undefined ? [] : [{ field: "urlSecret" }]),
    ...workerSecretFields(input.headers, "headers"),
  ]);
  const decisions = await decisionRights(principal, name, input, keyring(), db, previous);
  let box: SecretBox | undefined;
  const boxOf = () => {
    box ??= new SecretBox(keyring());
    return box;
  };
  const seal = async (value: string | undefined, part: string) =>
    value === undefined ? null : boxOf().seal(value, serviceSecretContext(name, part));
  const object: StoredService = {
    name,
    type: input.type,
    urlSealed: await seal(input.url, "url"),
    urlSecret: input.urlSecret ?? null,
    secretSealed: await seal(input.secret, "secret"),
    method: input.method,
    headers: await sealHeaders(input.headers, boxOf, (header) => serviceSecretContext(name, `header/${header}`)),
    ratePerMinute: input.ratePerMinute ?? null,
    tokenSealed: await seal(input.token, "token"),
    apiUrl: input.apiUrl ?? null,
    username: input.username ?? null,
    icon: input.icon ?? null,
    signingSecretSealed: await seal(input.signingSecret, "signing-secret"),
    appId: input.appId ?? null,
    appSecretSealed: await seal(input.appSecret, "app-secret"),
    verificationTokenSealed: await seal(input.verificationToken, "verification-token"),
    encryptKeySealed: await seal(input.encryptKey, "encrypt-key"),
    adminConfigured: decisions.adminConfigured,
    decisionFingerprint: decisions.fingerprint,
    updatedAt: new Date().toISOString(),
  };
  return { object, input };
}

/**
 * Who may set what a service verifies and where it sends. Its type, URL, tokens, secrets, app
 * and `apiUrl` decide whose clicks it vouches for and who receives a gate's links: once a policy
 * names the service in `manual.channels`, changing them needs admin (403 otherwise, whether the
 * service exists yet or not). The service remembers whether an admin set them — only then does
 * it carry decisions.
 */
async function decisionRights(
  principal: Principal,
  name: string,
  input: { type: string } & {
    [field in
      | "url"
      | "urlSecret"
      | "apiUrl"
      | "token"
      | "signingSecret"
      | "appId"
      | "appSecret"
      | "verificationToken"
      | "encryptKey"]?: string | undefined;
  },
  keyring: Keyring,
  db: D1Database,
  previous: StoredService | null,
): Promise<{ adminConfigured: boolean; fingerprint: string }> {
  const fields = {
    type: input.type,
    url: input.url ?? null,
    urlSecret: input.urlSecret ?? null,
    apiUrl: input.apiUrl ?? null,
    token: input.token ?? null,
    signingSecret: input.signingSecret ?? null,
    appId: input.appId ?? null,
    appSecret: input.appSecret ?? null,
    verificationToken: input.verificationToken ?? null,
    encryptKey: input.encryptKey ?? null,
  };
  const prints = await fingerprint(keyring, fields);
  const unchanged = previous?.decisionFingerprint !== undefined && prints.all.includes(previous.decisionFingerprint);
  if (isGatewayAdmin(principal)) return { adminConfigured: true, fingerprint: prints.current };
  if (!unchanged) await assertNoDecisionsThrough(db, name, "changing its url, token, secrets, app or apiUrl");
  return { adminConfigured: unchanged && previous?.adminConfigured === true, fingerprint: prints.current };
}

/** 403 when a policy's channels name the service: it carries approval decisions, and only an admin changes it. */
async function assertNoDecisionsThrough(db: D1Database, service: string, what: string): Promise<void> {
  const policies = await policiesDecidingThrough(db, service);
  if (policies.length === 0) return;
  throw new AppError(
    "permission_denied",
    `service "${service}" carries approval decisions (named in manual.channels of policy ${policies.join(", ")}): ${what} needs the "admin" scope`,
  );
}

/** A service as the API shows it: URL and secrets are never returned. */
export const serviceViewSchema = z.object({
  name: z.string(),
  type: z.enum(SERVICE_TYPES),
  url: z.literal(SEALED).nullable(),
  urlSecret: z.string().nullable(),
  token: z.literal(SEALED).optional(),
  secret: z.literal(SEALED).optional(),
  signingSecret: z.literal(SEALED).optional(),
  appId: z.string().optional(),
  appSecret: z.literal(SEALED).optional(),
  verificationToken: z.literal(SEALED).optional(),
  encryptKey: z.literal(SEALED).optional(),
  apiUrl: z.string().optional(),
  username: z.string().optional(),
  icon: z.string().optional(),
  hasSecret: z.boolean(),
  adminConfigured: z.boolean(),
  method: z.enum(["POST", "PUT", "PATCH"]),
  headers: z.array(z.object({ name: z.string() }).catchall(z.string())),
  ratePerMinute: z.number().nullable(),
  updatedAt: z.string(),
});

/** A service as the API shows it: URL and secrets are never returned. */
export function describeService(service: StoredService) {
  return {
    name: service.name,
    type: service.type,
    url: service.urlSealed === null ? null : SEALED,
    urlSecret: service.urlSecret,
    ...(service.tokenSealed ? { token: SEALED } : {}),
    ...(service.secretSealed ? { secret: SEALED } : {}),
    ...(service.signingSecretSealed ? { signingSecret: SEALED } : {}),
    ...(service.appId ? { appId: service.appId } : {}),
    ...(service.appSecretSealed ? { appSecret: SEALED } : {}),
    ...(service.verificationTokenSealed ? { verificationToken: SEALED } : {}),
    ...(service.encryptKeySealed ? { encryptKey: SEALED } : {}),
    ...(service.apiUrl ? { apiUrl: service.apiUrl } : {}),
    ...(service.username ? { username: service.username } : {}),
    ...(service.icon ? { icon: service.icon } : {}),
    hasSecret: service.secretSealed !== null,
    // Whether an admin set what it verifies and where it sends: only then may policies' channels name it.
    adminConfigured: service.adminConfigured === true,
    method: service.method,
    headers: describeHeaders(service.headers),
    ratePerMinute: service.ratePerMinute,
    updatedAt: service.updatedAt,
  };
}

/** Refuses deleting a service a policy's channels name, unless the principal is an admin. */
export async function checkServiceDelete(db: D1Database, name: string, principal: Principal): Promise<void> {
  if (!isGatewayAdmin(principal)) await assertNoDecisionsThrough(db, name, "deleting it");
}
