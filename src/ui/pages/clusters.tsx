import { Badge } from "../layout";
import { time } from "./format";

/** A cluster as the console's clusters view shows it: where it is, and its circuit breaker. */
export interface ClusterItem {
  name: string;
  type: string;
  url: string;
  status: { circuit: string; since: string; lastError: string | null; queued: number };
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
