import type { Tombstone } from "../../events/graveyard";
import { time } from "./format";

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
