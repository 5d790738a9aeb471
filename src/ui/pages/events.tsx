import type { summarizeEvent } from "../../events/log";
import { Badge, FilterSelect } from "../layout";
import { time } from "./format";

/** What the pages show: the API's own shapes (the console lists and reads through the same functions). */
export type EventSummary = ReturnType<typeof summarizeEvent>;

export function EventsPage(props: {
  namespace: string;
  events: EventSummary[];
  filters: { discriminator?: string; outcome?: string };
  nextCursor: string | null;
  /** Events received in the minutes this page spans that have no row (counted, sampled away). */
  sampledAway: number;
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
        <FilterSelect
          label="Outcome"
          name="outcome"
          values={["submitted", "no_match", "no_bindings", "partially_failed", "failed", "pending"]}
          current={filters.outcome}
        />
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
      {props.sampledAway > 0 && (
        <p class="notice">
          {props.sampledAway} more event(s) received in the minutes this page spans are not listed: no binding matched
          them, and only a sample of such events keeps a row (the others are counted, and their bodies kept for replay
          by id).
        </p>
      )}
      {props.nextCursor && <a href={query(props.nextCursor)}>Older events →</a>}
    </>
  );
}
