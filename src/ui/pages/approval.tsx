import { raw } from "hono/html";
import type { readAudit } from "../../approvals/decide";
import type { GateView } from "../../approvals/gate-view";
import { Badge, Csrf } from "../layout";
import { renderMarkdown } from "../markdown";

export type AuditItem = Awaited<ReturnType<typeof readAudit>>["items"][number];

function Markdown(props: { text: string }) {
  return <div class="markdown">{raw(renderMarkdown(props.text))}</div>;
}

export function ApprovalPage(props: {
  gate: GateView;
  audit: AuditItem[];
  csrf: string;
  canDecide: boolean;
  canOverride: boolean;
  message?: string;
  error?: string;
}) {
  const { gate } = props;
  const base = `/ui/namespaces/${gate.namespace}/approvals/${gate.id}`;
  return (
    <>
      <h1>
        Approval {gate.policy} <Badge value={gate.status} />
      </h1>
      <p class="muted">
        {gate.id} · created {gate.createdAt} · expires {gate.expiresAt}
        {gate.traceId && (
          <>
            {" "}
            · trace <a href={`/ui/namespaces/${gate.namespace}/events?traceId=${gate.traceId}`}>{gate.traceId}</a>
          </>
        )}
        {gate.subject && ` · workflow ${gate.subject.workflow} node ${gate.subject.node} on ${gate.subject.cluster}`}
      </p>
      {props.error && <p class="notice error">{props.error}</p>}
      {gate.hold && (
        <p class="notice">
          Approved, and held by a change window until {gate.hold.until ?? "an allow window opens"}: {gate.hold.reason}.
          The gate completes when the window ends.
        </p>
      )}
      {gate.manual.quorum > 1 && (
        <p>
          Approvals: {gate.manual.approvals.length} of {gate.manual.quorum}
          {gate.manual.approvals.length > 0 &&
            ` (${gate.manual.approvals.map((approval) => `${approval.by} via ${approval.via}`).join(", ")})`}
        </p>
      )}
      {gate.requestedBy && (
        <p class="muted">
          Requested by {Object.values(gate.requestedBy).join(", ")}
          {gate.manual.forbidRequester && " — who may not approve it"}
        </p>
      )}
      {gate.decision && (
        <>
          <h2>Decision</h2>
          <p>
            <Badge value={gate.decision.status} /> by {gate.decision.by} ({gate.decision.via}) at {gate.decision.at} —{" "}
            {gate.decision.reason}
          </p>
          {gate.decision.message && <Markdown text={gate.decision.message} />}
          {gate.node && (
            <p>
              Workflow node: <Badge value={gate.node.phase} /> after {gate.node.attempts} attempt(s){" "}
              {gate.node.lastError && `— ${gate.node.lastError}`}
            </p>
          )}
        </>
      )}
      {gate.github && (
        <p>
          GitHub deployment: {gate.github.repository}, environment {gate.github.environment} —{" "}
          <Badge value={gate.github.phase} />
          {gate.github.state && ` (${gate.github.state})`}
          {gate.github.attempts > 0 && ` after ${gate.github.attempts} attempt(s)`}
          {gate.github.lastError && ` — ${gate.github.lastError}`}
        </p>
      )}
      {gate.status === "pending" && props.canDecide && (
        <form method="post" action={`${base}/decision`}>
          <h2>Decide</h2>
          <Csrf token={props.csrf} />
          <label>
            Message (Markdown)
            <textarea name="message" aria-label="decision message" />
          </label>
          <p>
            <button class="primary" type="submit" name="approve" value="true">
              Approve
            </button>{" "}
            <button class="danger" type="submit" name="approve" value="false">
              Reject
            </button>
          </p>
        </form>
      )}
      {gate.status === "pending" && !props.canDecide && (
        <p class="muted">Approvers: {gate.manual.approvers.join(", ")}</p>
      )}
      {gate.status === "pending" && props.canOverride && (
        <form method="post" action={`${base}/decision`}>
          <h2>Break-glass override</h2>
          <Csrf token={props.csrf} />
          <input type="hidden" name="approve" value="true" />
          <input type="hidden" name="override" value="true" />
          <label>
            Reason (recorded and announced)
            <textarea name="reason" aria-label="override reason" required />
          </label>
          <p>
            <button class="danger" type="submit">
              Approve now, past the window
            </button>
          </p>
        </form>
      )}
      <h2>Webhooks</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Webhook</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Answer</th>
            </tr>
          </thead>
          <tbody>
            {gate.webhooks.map((hook) => (
              <tr>
                <td>{hook.name}</td>
                <td>
                  <Badge value={hook.phase} />
                </td>
                <td>{hook.attempts}</td>
                <td>
                  {hook.answer ? (
                    <Markdown text={hook.answer.mdMessage || (hook.answer.success ? "(approved)" : "(rejected)")} />
                  ) : (
                    (hook.lastError ?? "")
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {gate.messages.length > 0 && (
        <>
          <h2>Requests in chat</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Service</th>
                  <th>Recipient</th>
                  <th>Carried</th>
                  <th>Status</th>
                  <th>Attempts</th>
                </tr>
              </thead>
              <tbody>
                {gate.messages.map((message) => (
                  <tr>
                    <td>{message.service}</td>
                    <td>{message.recipient || "(default)"}</td>
                    <td>{message.carried ?? ""}</td>
                    <td>
                      <Badge value={message.phase} />
                    </td>
                    <td>{message.lastError ? `${message.attempts}: ${message.lastError}` : message.attempts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {gate.manual.required && (
        <p>
          Manual approval required:{" "}
          {gate.manual.decision
            ? `${gate.manual.decision.approve ? "approved" : "rejected"} by ${gate.manual.decision.by} (${gate.manual.decision.via})`
            : "waiting"}
        </p>
      )}
      <h2>Context</h2>
      <pre>{JSON.stringify(gate.context, null, 2)}</pre>
      <h2>Audit</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>At</th>
              <th>By</th>
              <th>Via</th>
              <th>Action</th>
              <th>Counted</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {props.audit.map((entry) => (
              <tr>
                <td>{entry.at}</td>
                <td>{entry.by}</td>
                <td>{entry.via}</td>
                <td>{entry.action}</td>
                <td>{entry.counted ? "yes" : "no"}</td>
                <td>{entry.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
