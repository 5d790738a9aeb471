import type { eventDetail } from "../../events/log";
import { Badge, Csrf } from "../layout";
import { time } from "./format";

export type EventDetail = Awaited<ReturnType<typeof eventDetail>>;

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
      {event.detail === "sampled" && (
        <p class="notice">
          Detail sampled away: no binding matched this event and it was not among the sampled events kept with their
          results (or a full event log dropped its oldest detail). Its body, metadata and outcome are kept until
          retention ends, so it can still be replayed.
        </p>
      )}
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
