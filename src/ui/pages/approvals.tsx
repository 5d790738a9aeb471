import type { listApprovalPage } from "../../approvals/listing";
import { Badge } from "../layout";
import { time } from "./format";

export type ApprovalItem = Awaited<ReturnType<typeof listApprovalPage>>["items"][number];

export function ApprovalsPage(props: { namespace: string; pending: ApprovalItem[]; others: ApprovalItem[] }) {
  const rows = [...props.pending, ...props.others];
  return (
    <>
      <h1>Approvals in {props.namespace}</h1>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Created</th>
              <th>Policy</th>
              <th>Workflow</th>
              <th>Status</th>
              <th>Expires</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td>
                  <a href={`/ui/namespaces/${props.namespace}/approvals/${row.id}`}>{time(row.createdAt)}</a>
                </td>
                <td>{row.policy}</td>
                <td>{row.subject?.workflow ?? ""}</td>
                <td>
                  <Badge value={row.status} />
                </td>
                <td>{time(row.expiresAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p class="muted">No approvals yet.</p>}
    </>
  );
}
