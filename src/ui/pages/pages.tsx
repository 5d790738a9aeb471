import { raw } from "hono/html";
import type { readAudit } from "../../approvals/decide";
import type { GateView } from "../../approvals/gate-view";
import type { listApprovalPage } from "../../approvals/listing";
import type { Principal } from "../../auth/principal";
import { hasScope } from "../../auth/principal";
import type { Tombstone } from "../../events/graveyard";
import type { eventDetail, summarizeEvent } from "../../events/log";
import type { describeDelivery } from "../../notifications/deliveries";
import { Badge, Csrf } from "../layout";
import { renderMarkdown } from "../markdown";

/** What the pages show: the API's own shapes (the console lists and reads through the same functions). */
type EventSummary = ReturnType<typeof summarizeEvent>;
type EventDetail = Awaited<ReturnType<typeof eventDetail>>;
type ApprovalItem = Awaited<ReturnType<typeof listApprovalPage>>["items"][number];
type AuditItem = Awaited<ReturnType<typeof readAudit>>["items"][number];
type DeliveryItem = ReturnType<typeof describeDelivery>;

/** An ISO time as the console shows it: `2026-11-25 21:49:40`. */
const time = (iso: string) => iso.replace("T", " ").slice(0, 19);

export function LoginPage(props: { error?: string }) {
  return (
    <div class="login">
      <h1>Sign in to hookline</h1>
      {props.error && <p class="notice error">{props.error}</p>}
      <form method="post" action="/ui/login">
        <label for="token">API token or admin token</label>
        <input id="token" type="password" name="token" autocomplete="current-password" required />
        <button class="primary" type="submit">
          Sign in
        </button>
      </form>
      <p class="muted">The console shows what your token's scopes and namespaces allow.</p>
    </div>
  );
}

export function NamespaceChooser(props: { what: string; path: string; namespaces: string[] }) {
  return (
    <>
      <h1>{props.what}: choose a namespace</h1>
      {props.namespaces.length === 0 ? (
        <p class="muted">Nothing here yet.</p>
      ) : (
        <ul>
          {props.namespaces.map((ns) => (
            <li>
              <a href={`/ui/namespaces/${ns}/${props.path}`}>{ns}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export interface OverviewData {
  perMinute: number[];
  outcomes: Record<string, number>;
  pendingApprovals: number | null;
  failedDeliveries: number | null;
  namespace: string | null;
}

/** Events per minute over 24 h as an inline SVG polyline. */
function Chart(props: { values: number[] }) {
  const max = Math.max(1, ...props.values);
  const points = props.values.map((value, i) => `${i},${(100 - (value / max) * 95).toFixed(1)}`).join(" ");
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${props.values.length} 100`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`events per minute, peak ${max}`}
    >
      <title>{`Events per minute over the last 24 hours (peak ${max}/min)`}</title>
      <polyline points={points} />
    </svg>
  );
}

export function OverviewPage(props: { data: OverviewData; principal: Principal }) {
  const { data } = props;
  const total = Object.values(data.outcomes).reduce((sum, n) => sum + n, 0);
  const share = (outcome: string) =>
    total === 0 ? "—" : `${Math.round(((data.outcomes[outcome] ?? 0) / total) * 100)}%`;
  const failed = (data.outcomes.failed ?? 0) + (data.outcomes.partially_failed ?? 0);
  const eventsLink = (outcome?: string) =>
    data.namespace ? `/ui/namespaces/${data.namespace}/events${outcome ? `?outcome=${outcome}` : ""}` : "/ui/events";
  return (
    <>
      <h1>Overview</h1>
      {hasScope(props.principal, "events:read") && (
        <>
          <h2>Events per minute, last 24 hours ({total} events)</h2>
          <Chart values={data.perMinute} />
          <div class="cards">
            <a class="card" href={eventsLink("submitted")}>
              <div class="value">{share("submitted")}</div>
              <div class="label">submitted ({data.outcomes.submitted ?? 0})</div>
            </a>
            <a class="card" href={eventsLink("no_match")}>
              <div class="value">{share("no_match")}</div>
              <div class="label">no match ({data.outcomes.no_match ?? 0})</div>
            </a>
            <a class="card" href={eventsLink("failed")}>
              <div class="value">{total === 0 ? "—" : `${Math.round((failed / total) * 100)}%`}</div>
              <div class="label">failed ({failed})</div>
            </a>
          </div>
        </>
      )}
      <div class="cards">
        {data.pendingApprovals !== null && (
          <a class="card" href={data.namespace ? `/ui/namespaces/${data.namespace}/approvals` : "/ui/approvals"}>
            <div class="value">{data.pendingApprovals}</div>
            <div class="label">pending approvals</div>
          </a>
        )}
        {data.failedDeliveries !== null && (
          <a class="card" href="/ui/notifications/deliveries?status=failed">
            <div class="value">{data.failedDeliveries}</div>
            <div class="label">failed deliveries</div>
          </a>
        )}
      </div>
    </>
  );
}

export function EventsPage(props: {
  namespace: string;
  events: EventSummary[];
  filters: { discriminator?: string; outcome?: string };
  nextCursor: string | null;
}) {
  const { namespace, filters } = props;
  const query = (cursor: string) =>
    `?${new URLSearchParams({ ...(filters.discriminator ? { discriminator: filters.discriminator } : {}), ...(filters.outcome ? { outcome: filters.outcome } : {}), cursor })}`;
  return (
    <>
      <h1>Events in {namespace}</h1>
      <form class="filters" method="get">
        <label>
          Discriminator
          <input type="text" name="discriminator" value={filters.discriminator ?? ""} />
        </label>
        <label>
          Outcome
          <select name="outcome">
            {["", "submitted", "no_match", "no_bindings", "partially_failed", "failed", "pending"].map((outcome) => (
              <option value={outcome} selected={outcome === (filters.outcome ?? "")}>
                {outcome || "any"}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Received</th>
              <th>Discriminator</th>
              <th>Outcome</th>
              <th>Workflows</th>
            </tr>
          </thead>
          <tbody>
            {props.events.map((event) => (
              <tr>
                <td>
                  <a href={`/ui/namespaces/${namespace}/events/${event.id}`}>{time(event.receivedAt)}</a>
                </td>
                <td>{event.discriminator || <span class="muted">(none)</span>}</td>
                <td>
                  <Badge value={event.outcome} />
                </td>
                <td>
                  {event.results
                    .filter((r) => r.workflow)
                    .map((r) => r.workflow)
                    .join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.events.length === 0 && <p class="muted">No events match.</p>}
      {props.nextCursor && <a href={query(props.nextCursor)}>Older events →</a>}
    </>
  );
}

/** A result's reason with the events it names ("superseded by event 01J…") linked to their pages. */
function LinkedEvents(props: { namespace: string; text: string }) {
  const parts = props.text.split(/\b([0-9A-HJKMNP-TV-Z]{26})\b/);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? <a href={`/ui/namespaces/${props.namespace}/events/${part}`}>{part}</a> : part,
      )}
    </>
  );
}

/** What else carries an event's trace id: the gates its workflows opened and the messages sent (null: not allowed to see). */
interface TraceLinks {
  approvals: Array<{ id: string; policy: string; status: string; createdAt: string }> | null;
  deliveries: Array<{ id: string; service: string; trigger: string; status: string; createdAt: string }> | null;
}

export function EventDetailPage(props: { event: EventDetail; csrf: string; canReplay: boolean; trace: TraceLinks }) {
  const { event } = props;
  const pretty = event.payload === null ? "(the body is no longer stored)" : JSON.stringify(event.payload, null, 2);
  return (
    <>
      <h1>
        Event {event.id} <Badge value={event.outcome} />
      </h1>
      <p class="muted">
        {time(event.receivedAt)} · namespace {event.namespace} · discriminator {event.discriminator || "(none)"} ·
        sender {event.sender}
        {event.traceId && <> · trace {event.traceId}</>}
        {event.replayOf && (
          <>
            {" "}
            · replay of <a href={`/ui/namespaces/${event.namespace}/events/${event.replayOf}`}>{event.replayOf}</a>
          </>
        )}
      </p>
      {event.error && <p class="notice error">{event.error}</p>}
      {props.canReplay && (
        <form method="post" action={`/ui/namespaces/${event.namespace}/events/${event.id}/replay`}>
          <Csrf token={props.csrf} />
          <button type="submit">Replay through today's bindings</button>
        </form>
      )}
      <h2>Bindings</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Binding</th>
              <th>Matched</th>
              <th>Status</th>
              <th>Workflow</th>
              <th>Attempts</th>
              <th>Reason / error</th>
            </tr>
          </thead>
          <tbody>
            {event.results.map((result) => (
              <tr>
                <td>
                  <a href={`/ui/namespaces/${event.namespace}/workfloweventbindings/${result.binding}`}>
                    {result.binding}
                  </a>
                </td>
                <td>{result.matched ? "yes" : "no"}</td>
                <td>
                  <Badge value={result.status} />
                </td>
                <td>{result.workflow ?? ""}</td>
                <td>{result.attempts}</td>
                <td>
                  <LinkedEvents namespace={event.namespace} text={result.error ?? result.reason ?? ""} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {event.bindingsPruned > 0 && (
        <p class="muted">
          {event.bindingsPruned} more binding(s) could not match (ruled out by their selectors' equalities).
        </p>
      )}
      {event.traceId && <TraceSection namespace={event.namespace} trace={props.trace} />}
      <div class="grid-2">
        <div>
          <h2>Payload</h2>
          <pre>{pretty}</pre>
        </div>
        <div>
          <h2>Metadata</h2>
          <pre>{JSON.stringify(event.metadata, null, 2)}</pre>
        </div>
      </div>
    </>
  );
}

/** The gates and deliveries of the event's trace, linked. */
function TraceSection(props: { namespace: string; trace: TraceLinks }) {
  const { approvals, deliveries } = props.trace;
  return (
    <>
      {approvals !== null && (
        <>
          <h2>Approvals in this trace</h2>
          {approvals.length === 0 ? (
            <p class="muted">No approval gate carries this trace id.</p>
          ) : (
            <ul>
              {approvals.map((gate) => (
                <li>
                  <a href={`/ui/namespaces/${props.namespace}/approvals/${gate.id}`}>{gate.policy}</a>{" "}
                  <Badge value={gate.status} /> <span class="muted">{time(gate.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {deliveries !== null && (
        <>
          <h2>Notifications in this trace</h2>
          {deliveries.length === 0 ? (
            <p class="muted">No notification carries this trace id.</p>
          ) : (
            <ul>
              {deliveries.map((delivery) => (
                <li>
                  {delivery.trigger} → {delivery.service} <Badge value={delivery.status} />{" "}
                  <span class="muted">{time(delivery.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

export function BindingsPage(props: {
  namespace: string;
  bindings: Array<{ name: string; selector: string; template: string; cluster: string }>;
}) {
  return (
    <>
      <h1>WorkflowEventBindings in {props.namespace}</h1>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Selector</th>
              <th>Template</th>
              <th>Cluster</th>
            </tr>
          </thead>
          <tbody>
            {props.bindings.map((binding) => (
              <tr>
                <td>
                  <a href={`/ui/namespaces/${props.namespace}/workfloweventbindings/${binding.name}`}>{binding.name}</a>
                </td>
                <td>
                  <code>{binding.selector}</code>
                </td>
                <td>{binding.template}</td>
                <td>{binding.cluster}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.bindings.length === 0 && <p class="muted">No bindings yet.</p>}
    </>
  );
}

export interface DryRun {
  payload: string;
  discriminator: string;
  metadata: string;
  result?: unknown;
  error?: string;
}

export function BindingPage(props: {
  namespace: string;
  name: string;
  yaml: string;
  csrf: string;
  canEdit: boolean;
  saveError?: string;
  saved?: string;
  dryRun: DryRun;
}) {
  const base = `/ui/namespaces/${props.namespace}/workfloweventbindings/${props.name}`;
  return (
    <>
      <h1>WorkflowEventBinding {props.name}</h1>
      {props.saved && <p class="notice">{props.saved}</p>}
      {props.saveError && <p class="notice error">{props.saveError}</p>}
      <div class="grid-2">
        <form method="post" action={base}>
          <h2>YAML</h2>
          <Csrf token={props.csrf} />
          <textarea name="yaml" aria-label="binding YAML" readonly={!props.canEdit}>
            {props.yaml}
          </textarea>
          {props.canEdit && <button type="submit">Save</button>}
        </form>
        <form method="post" action={`${base}/test`}>
          <h2>Dry run</h2>
          <Csrf token={props.csrf} />
          <label>
            Payload (JSON)
            <textarea name="payload" aria-label="payload">
              {props.dryRun.payload}
            </textarea>
          </label>
          <label>
            Discriminator <input type="text" name="discriminator" value={props.dryRun.discriminator} />
          </label>
          <label>
            Metadata (JSON, e.g. {'{"x-github-event": ["push"]}'})
            <input type="text" name="metadata" value={props.dryRun.metadata} />
          </label>
          <p>
            <button type="submit">Test</button>
          </p>
          {props.dryRun.error && <p class="notice error">{props.dryRun.error}</p>}
          {props.dryRun.result !== undefined && (
            <pre id="dry-run-result">{JSON.stringify(props.dryRun.result, null, 2)}</pre>
          )}
        </form>
      </div>
    </>
  );
}

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

export function DeliveriesPage(props: {
  deliveries: DeliveryItem[];
  status?: string;
  csrf: string;
  nextCursor: string | null;
}) {
  return (
    <>
      <h1>Notification deliveries</h1>
      <form class="filters" method="get">
        <label>
          Status
          <select name="status">
            {["", "pending", "sending", "delivered", "failed"].map((status) => (
              <option value={status} selected={status === (props.status ?? "")}>
                {status || "any"}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Created</th>
              <th>Trigger</th>
              <th>Service</th>
              <th>Title</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.deliveries.map((delivery) => (
              <tr>
                <td>{time(delivery.createdAt)}</td>
                <td>{delivery.trigger}</td>
                <td>
                  {delivery.service}
                  {delivery.recipient && ` → ${delivery.recipient}`}
                </td>
                <td>{delivery.title}</td>
                <td>
                  <Badge value={delivery.status} />
                </td>
                <td>{delivery.attempts}</td>
                <td>{delivery.lastError ?? ""}</td>
                <td>
                  {delivery.status === "failed" && (
                    <form class="inline" method="post" action={`/ui/notifications/deliveries/${delivery.id}/retry`}>
                      <Csrf token={props.csrf} />
                      <button type="submit">Retry</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.deliveries.length === 0 && <p class="muted">No deliveries.</p>}
      {props.nextCursor && (
        <a
          href={`?${new URLSearchParams({ ...(props.status ? { status: props.status } : {}), cursor: props.nextCursor })}`}
        >
          Older →
        </a>
      )}
    </>
  );
}

/** A stored notification template in the console: its Go-template fields and the triggers that send it. */
export interface TemplateItem {
  name: string;
  fields: Array<[string, string]>;
  triggers: string[];
}

export function TemplatesPage(props: { templates: TemplateItem[] }) {
  return (
    <>
      <h1>Notification templates</h1>
      <p class="muted">
        Argo CD templates (Go text/template with sprig), rendered when a notification is sent: an edit applied with the
        API or <code>hookline apply</code> takes effect at once. Names not listed here are hookline's built-in
        templates.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Fields</th>
              <th>Sent by</th>
            </tr>
          </thead>
          <tbody>
            {props.templates.map((template) => (
              <tr>
                <td>
                  <a href={`/ui/notifications/templates/${template.name}`}>{template.name}</a>
                </td>
                <td>{template.fields.map(([field]) => field).join(", ")}</td>
                <td>{template.triggers.join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.templates.length === 0 && (
        <p class="muted">
          No templates yet: <code>hookline import argocd-notifications -f argocd-notifications-cm.yaml</code> brings
          Argo CD's.
        </p>
      )}
    </>
  );
}

export function TemplatePage(props: { template: TemplateItem }) {
  return (
    <>
      <h1>Template {props.template.name}</h1>
      <p class="muted">Sent by: {props.template.triggers.join(", ") || "no trigger yet"}</p>
      {props.template.fields.map(([field, source]) => (
        <section>
          <h2>
            <code>{field}</code>
          </h2>
          <pre>{source}</pre>
        </section>
      ))}
    </>
  );
}

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

export function DeadLettersPage(props: { namespace: string | null; items: Tombstone[]; nextCursor: string | null }) {
  return (
    <>
      <h1>Dead letters{props.namespace ? ` in ${props.namespace}` : ""}</h1>
      <p class="muted">
        Messages that could not be processed or recorded. They are kept here (never dropped) until the event retention
        removes them.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Buried</th>
              <th>Queue</th>
              <th>Namespace</th>
              <th>Attempts</th>
              <th>Reason</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((item) => (
              <tr>
                <td>{time(item.buriedAt)}</td>
                <td>{item.queue}</td>
                <td>{item.namespace ?? ""}</td>
                <td>{item.attempts}</td>
                <td>{item.reason}</td>
                <td>
                  <pre>{JSON.stringify(item.body, null, 2).slice(0, 2000)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.items.length === 0 && <p class="muted">No dead letters.</p>}
      {props.nextCursor && <a href={`?${new URLSearchParams({ cursor: props.nextCursor })}`}>More →</a>}
    </>
  );
}

export function ErrorPage(props: { status: number; message: string }) {
  return (
    <>
      <h1>{props.status === 403 ? "Not allowed" : props.status === 404 ? "Not found" : "Something went wrong"}</h1>
      <p class="notice error">{props.message}</p>
      <p>
        <a href="/ui">Back to the overview</a>
      </p>
    </>
  );
}
