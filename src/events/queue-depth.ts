import { sumCounts } from "../lib/collections";
import { eventLogsOf } from "./shards";
import { pendingSubmissionsByCluster } from "./store";

/** How many submissions wait for each cluster, over every event-log shard (the clusters' `status.queued`). */
export async function queuedSubmissions(env: Env): Promise<Map<string, number>> {
  return sumCounts(await Promise.all(eventLogsOf(env).map(pendingSubmissionsByCluster)));
}
