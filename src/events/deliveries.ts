import { type Principal, principalKey } from "../auth/principal";
import { groupBy } from "../lib/collections";
import { AppError } from "../lib/errors";
import { fnv1a } from "../lib/hash";
import { LEDGER_SHARDS } from "./delivery-ledger";

/** Headers that name a sender's delivery, most specific first, with the prefix that keeps senders apart. */
const DELIVERY_HEADERS: ReadonlyArray<readonly [header: string, source: string]> = [
  ["x-github-delivery", "github"],
  ["x-gitlab-event-uuid", "gitlab"],
  ["x-request-uuid", "bitbucket"],
  // Svix's name for webhook-id, read first as in verifying (auth/signatures.ts): one source, so a
  // delivery is one id under either name.
  ["svix-id", "standard-webhooks"],
  ["webhook-id", "standard-webhooks"],
  ["x-hookline-delivery", "hookline"],
];
const MAX_DELIVERY_ID_LENGTH = 256;

/**
 * The delivery id a request carries, as the ledger keeps it — `<sender> <source>:<id>` — or null
 * when it carries none. Ids are the sender's own: another sender of the namespace cannot claim
 * one in advance and have the real delivery taken for a duplicate.
 */
export function deliveryIdOf(headers: Headers, sender: Principal): string | null {
  for (const [header, source] of DELIVERY_HEADERS) {
    const value = headers.get(header)?.trim();
    if (!value) continue;
    if (value.length > MAX_DELIVERY_ID_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
      throw new AppError(
        "invalid_argument",
        `${header} must be at most ${MAX_DELIVERY_ID_LENGTH} printable characters without spaces`,
      );
    }
    return `${principalKey(sender)} ${source}:${value}`;
  }
  return null;
}

/** The ledger object a namespace's delivery id belongs to. */
export function ledgerFor(env: Env, namespace: string, delivery: string) {
  return env.DELIVERY_LEDGER.getByName(`${namespace}/${fnv1a(delivery) % LEDGER_SHARDS}`);
}

/**
 * Bulk replay's claims (`replay-of <event>`), made, confirmed or released as `owner` — one call
 * per ledger shard the deliveries fall in (delivery-ledger.ts claimEach, confirmEach, releaseEach).
 * `claim` returns the ones this call claimed.
 */
export const ledgerClaims = {
  async claim(env: Env, namespace: string, deliveries: readonly string[], owner: string): Promise<Set<string>> {
    const answers = await perShard(env, namespace, deliveries, (ledger, some) => ledger.claimEach(some, owner));
    return new Set(answers.flat());
  },
  async confirm(env: Env, namespace: string, deliveries: readonly string[], owner: string): Promise<void> {
    await perShard(env, namespace, deliveries, (ledger, some) => ledger.confirmEach(some, owner));
  },
  async release(env: Env, namespace: string, deliveries: readonly string[], owner: string): Promise<void> {
    await perShard(env, namespace, deliveries, (ledger, some) => ledger.releaseEach(some, owner));
  },
};

function perShard<T>(
  env: Env,
  namespace: string,
  deliveries: readonly string[],
  call: (ledger: ReturnType<typeof ledgerFor>, some: string[]) => Promise<T>,
): Promise<T[]> {
  const byShard = groupBy(deliveries, (delivery) => fnv1a(delivery) % LEDGER_SHARDS);
  return Promise.all([...byShard.values()].map((some) => call(ledgerFor(env, namespace, some[0] ?? ""), some)));
}
