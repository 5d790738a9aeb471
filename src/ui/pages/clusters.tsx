import { Badge } from "../layout";
import { time } from "./format";

/** A cluster as the console's clusters view shows it: where it is, its circuit breaker, its pending slots. */
export interface ClusterItem {
  name: string;
  type: string;
  url: string;
  status: {
    circuit: string;
    since: string;
    lastError: string | null;
    queued: number;
    pending: { maxPending: number | null; active: number; held: number; countedAt: string | null };
  };
}

/** `active / max` as last counted (— when hookline never had to count). */
function running(pending: ClusterItem["status"]["pending"]): string {
  if (pending.countedAt === null) return pending.maxPending === null ? "—" : `— / ${pending.maxPending}`;
  return pending.maxPending === null ? String(pending.active) : `${pending.active} / ${pending.maxPending}`;
}

export function ClustersPage(props: { clusters: ClusterItem[] }) {
  return (
    <>
      <h1>Clusters</h1>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>URL</th>
              <th>Circuit</th>
              <th>Since</th>
              <th>Queued</th>
              <th title="Workflows hookline submitted that the cluster runs, as last counted, and its maxPending">
                Running
              </th>
              <th title="Submissions held for a slot (maxPending, a paused binding)">Held</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {props.clusters.map((cluster) => (
              <tr>
                <td>{cluster.name}</td>
                <td>{cluster.type}</td>
                <td>{cluster.url}</td>
                <td>
                  <Badge value={cluster.status.circuit} />
                </td>
                <td>{time(cluster.status.since)}</td>
                <td>{cluster.status.queued}</td>
                <td>{running(cluster.status.pending)}</td>
                <td>{cluster.status.pending.held}</td>
                <td>{cluster.status.lastError ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.clusters.length === 0 && <p class="muted">No clusters are configured.</p>}
    </>
  );
}
