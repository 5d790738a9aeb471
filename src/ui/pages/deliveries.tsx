import type { describeDelivery } from "../../notifications/deliveries";
import { Badge, Csrf, FilterSelect } from "../layout";
import { time } from "./format";

export type DeliveryItem = ReturnType<typeof describeDelivery>;

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
        <FilterSelect
          label="Status"
          name="status"
          values={["pending", "sending", "delivered", "failed"]}
          current={props.status}
        />
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
